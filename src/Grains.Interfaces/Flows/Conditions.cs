using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Orleans.Flows.Values;

namespace Orleans.Flows.Flows;

public enum ConditionOp { Eq, Ne, In, NotIn, Contains, StartsWith, Exists, NotExists, Gt, Gte, Lt, Lte }

/// <summary>
/// A condition on a contact, its events or an event's properties. In JSON a condition is told apart by the
/// key it carries (<c>attribute</c>, <c>property</c>, <c>event</c>, <c>all</c>, <c>any</c>, <c>not</c>).
/// </summary>
[JsonConverter(typeof(ConditionJsonConverter))]
[GenerateSerializer, Immutable, Alias("flows.Condition")]
public abstract record Condition;

/// <summary>A comparison of one value with <see cref="Value"/>; shared by attribute and property conditions.</summary>
[GenerateSerializer, Immutable, Alias("flows.ComparisonCondition")]
public abstract record ComparisonCondition : Condition
{
    [Id(0)] public required ConditionOp Op { get; init; }
    [Id(1)] public FieldValue Value { get; init; } = FieldValue.Null;
}

/// <summary>On a contact field: <c>email</c>, <c>phone</c>, <c>company</c>, <c>firstName</c>, <c>lastName</c>, <c>timeZone</c>, <c>tags</c> or <c>attributes.X</c>.</summary>
[GenerateSerializer, Immutable, Alias("flows.AttributeCondition")]
public sealed record AttributeCondition : ComparisonCondition
{
    public static readonly ImmutableArray<string> Fields = ["email", "phone", "pushToken", "company", "firstName", "lastName", "timeZone", "tags"];

    [Id(0)] public required string Attribute { get; init; }
}

/// <summary>On a property of an event (inside an event trigger or an event condition).</summary>
[GenerateSerializer, Immutable, Alias("flows.PropertyCondition")]
public sealed record PropertyCondition : ComparisonCondition
{
    [Id(0)] public required string Property { get; init; }
}

/// <summary>True when such an event happened: within the period, or after the step named by <see cref="StepId"/> ran.</summary>
[GenerateSerializer, Immutable, Alias("flows.EventCondition")]
public sealed record EventCondition : Condition
{
    [Id(0)] public required string Event { get; init; }
    [Id(1)] public Condition? Where { get; init; }
    [Id(2)] public TimeSpan? Within { get; init; }
    [Id(3)] public string? StepId { get; init; }
}

[GenerateSerializer, Immutable, Alias("flows.AllCondition")]
public sealed record AllCondition : Condition
{
    [Id(0)] public required ImmutableArray<Condition> All { get; init; }
}

[GenerateSerializer, Immutable, Alias("flows.AnyCondition")]
public sealed record AnyCondition : Condition
{
    [Id(0)] public required ImmutableArray<Condition> Any { get; init; }
}

[GenerateSerializer, Immutable, Alias("flows.NotCondition")]
public sealed record NotCondition : Condition
{
    [Id(0)] public required Condition Not { get; init; }
}
