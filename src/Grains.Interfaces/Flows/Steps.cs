using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Orleans.Flows.Content;
using Orleans.Flows.Values;

namespace Orleans.Flows.Flows;

/// <summary>
/// A step of a flow: a closed set of types, told apart in JSON by <c>type</c>. Every step names the steps it
/// can go to through <see cref="Targets"/>, which validation and the interpreter share.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(SendEmailStep), "sendEmail")]
[JsonDerivedType(typeof(SendSmsStep), "sendSms")]
[JsonDerivedType(typeof(SendPushStep), "sendPush")]
[JsonDerivedType(typeof(WaitStep), "wait")]
[JsonDerivedType(typeof(ConditionStep), "condition")]
[JsonDerivedType(typeof(WaitForEventStep), "waitForEvent")]
[JsonDerivedType(typeof(SplitStep), "split")]
[JsonDerivedType(typeof(UpdateContactStep), "updateContact")]
[JsonDerivedType(typeof(CreateActivityStep), "createActivity")]
[JsonDerivedType(typeof(WebhookStep), "webhook")]
[JsonDerivedType(typeof(MoveToFlowStep), "moveToFlow")]
[JsonDerivedType(typeof(EndStep), "end")]
[GenerateSerializer, Immutable, Alias("flows.Step")]
public abstract record Step
{
    public static readonly ImmutableArray<string> TypeNames =
        ["sendEmail", "sendSms", "sendPush", "wait", "condition", "waitForEvent", "split", "updateContact", "createActivity", "webhook", "moveToFlow", "end"];

    [Id(0), JsonPropertyOrder(-1)] public required string Id { get; init; }

    /// <summary>The JSON name of the step type.</summary>
    [JsonIgnore] public abstract string Type { get; }

    /// <summary>Each property that points at another step, with the step id it names (null: the journey ends).</summary>
    [JsonIgnore] public abstract IEnumerable<(string Property, string? StepId)> Targets { get; }

    /// <summary>True for steps that hold a participant for a while, which is what makes a loop safe.</summary>
    [JsonIgnore] public virtual bool Waits => false;
}

[GenerateSerializer, Immutable, Alias("flows.SendStep")]
public abstract record SendStep : Step
{
    [Id(0)] public required string ContentId { get; init; }
    [Id(1)] public string? Next { get; init; }
    [JsonIgnore] public abstract Channel Channel { get; }
    public override IEnumerable<(string, string?)> Targets => [("next", Next)];
}

[GenerateSerializer, Immutable, Alias("flows.SendEmailStep")]
public sealed record SendEmailStep : SendStep
{
    public override string Type => "sendEmail";
    public override Channel Channel => Channel.Email;
}

[GenerateSerializer, Immutable, Alias("flows.SendSmsStep")]
public sealed record SendSmsStep : SendStep
{
    public override string Type => "sendSms";
    public override Channel Channel => Channel.Sms;
}

[GenerateSerializer, Immutable, Alias("flows.SendPushStep")]
public sealed record SendPushStep : SendStep
{
    public override string Type => "sendPush";
    public override Channel Channel => Channel.Push;
}

/// <summary>Waits for a <see cref="Duration"/>, <see cref="Until"/> a moment, or until a time of day (<see cref="UntilTime"/>).</summary>
[GenerateSerializer, Immutable, Alias("flows.WaitStep")]
public sealed record WaitStep : Step
{
    [Id(0)] public TimeSpan? Duration { get; init; }
    [Id(1)] public DateTimeOffset? Until { get; init; }
    [Id(2)] public TimeOnly? UntilTime { get; init; }
    [Id(3)] public string? Next { get; init; }
    public override string Type => "wait";
    public override bool Waits => true;
    public override IEnumerable<(string, string?)> Targets => [("next", Next)];
}

[GenerateSerializer, Immutable, Alias("flows.ConditionStep")]
public sealed record ConditionStep : Step
{
    [Id(0), JsonPropertyName("if")] public required Condition If { get; init; }
    [Id(1)] public string? Then { get; init; }
    [Id(2)] public string? Else { get; init; }
    public override string Type => "condition";
    public override IEnumerable<(string, string?)> Targets => [("then", Then), ("else", Else)];
}

[GenerateSerializer, Immutable, Alias("flows.WaitForEventStep")]
public sealed record WaitForEventStep : Step
{
    [Id(0)] public required string Event { get; init; }
    [Id(1)] public Condition? Where { get; init; }
    [Id(2)] public required TimeSpan Timeout { get; init; }
    [Id(3)] public string? Next { get; init; }
    [Id(4)] public string? OnTimeout { get; init; }
    public override string Type => "waitForEvent";
    public override bool Waits => true;
    public override IEnumerable<(string, string?)> Targets => [("next", Next), ("onTimeout", OnTimeout)];
}

[GenerateSerializer, Immutable, Alias("flows.SplitBranch")]
public sealed record SplitBranch
{
    [Id(0)] public required int Percent { get; init; }
    [Id(1)] public string? Next { get; init; }
}

/// <summary>Sends each participant down one branch, chosen by a hash of the participant so a retry takes the same one.</summary>
[GenerateSerializer, Immutable, Alias("flows.SplitStep")]
public sealed record SplitStep : Step
{
    [Id(0)] public required ImmutableArray<SplitBranch> Branches { get; init; }
    public override string Type => "split";
    public override IEnumerable<(string, string?)> Targets => Branches.Select((b, i) => ($"branches[{i}].next", b.Next));
}

[GenerateSerializer, Immutable, Alias("flows.UpdateContactStep")]
public sealed record UpdateContactStep : Step
{
    [Id(0)] public ImmutableSortedDictionary<string, FieldValue> SetAttributes { get; init; } = ImmutableSortedDictionary<string, FieldValue>.Empty;
    [Id(1)] public ImmutableSortedDictionary<string, double> IncrementAttributes { get; init; } = ImmutableSortedDictionary<string, double>.Empty;
    [Id(2)] public ImmutableArray<string> AddTags { get; init; } = [];
    [Id(3)] public ImmutableArray<string> RemoveTags { get; init; } = [];
    [Id(4)] public string? Next { get; init; }
    public override string Type => "updateContact";
    public override IEnumerable<(string, string?)> Targets => [("next", Next)];
}

public enum ActivityKind { FollowUp, Sale, Request }

[GenerateSerializer, Immutable, Alias("flows.CreateActivityStep")]
public sealed record CreateActivityStep : Step
{
    [Id(0)] public required ActivityKind Kind { get; init; }
    [Id(1)] public required string Title { get; init; }
    [Id(2)] public string? Next { get; init; }
    public override string Type => "createActivity";
    public override IEnumerable<(string, string?)> Targets => [("next", Next)];
}

[GenerateSerializer, Immutable, Alias("flows.WebhookStep")]
public sealed record WebhookStep : Step
{
    [Id(0)] public required string Url { get; init; }
    [Id(1)] public string Method { get; init; } = "POST";
    [Id(2)] public string? Body { get; init; }
    [Id(3)] public string? Next { get; init; }
    public override string Type => "webhook";
    public override IEnumerable<(string, string?)> Targets => [("next", Next)];
}

[GenerateSerializer, Immutable, Alias("flows.MoveToFlowStep")]
public sealed record MoveToFlowStep : Step
{
    [Id(0)] public required string FlowId { get; init; }
    public override string Type => "moveToFlow";
    public override IEnumerable<(string, string?)> Targets => [];
}

[GenerateSerializer, Immutable, Alias("flows.EndStep")]
public sealed record EndStep : Step
{
    public override string Type => "end";
    public override IEnumerable<(string, string?)> Targets => [];
}
