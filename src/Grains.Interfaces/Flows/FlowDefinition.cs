using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Orleans.Flows.Flows;

/// <summary>
/// One version of a flow as a client wrote it. Immutable: an edit makes a new version and participants keep
/// the version they were enrolled in.
/// </summary>
[GenerateSerializer, Immutable, Alias("flows.FlowDefinition")]
public sealed record FlowDefinition
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public Trigger Trigger { get; init; } = new ManualTrigger();
    [Id(2)] public Condition? Filter { get; init; }
    [Id(3)] public Reentry Reentry { get; init; } = Reentry.Never;
    [Id(4)] public SuccessCriteria? Success { get; init; }
    [Id(5)] public Schedule? Schedule { get; init; }
    [Id(6)] public required string StartStepId { get; init; }
    [Id(7)] public required ImmutableArray<Step> Steps { get; init; }

    public Step? FindStep(string? id) => id is null ? null : Steps.FirstOrDefault(s => s.Id == id);
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ManualTrigger), "manual")]
[JsonDerivedType(typeof(EventTrigger), "event")]
[JsonDerivedType(typeof(SegmentTrigger), "segment")]
[GenerateSerializer, Immutable, Alias("flows.Trigger")]
public abstract record Trigger;

[GenerateSerializer, Immutable, Alias("flows.ManualTrigger")]
public sealed record ManualTrigger : Trigger;

[GenerateSerializer, Immutable, Alias("flows.EventTrigger")]
public sealed record EventTrigger : Trigger
{
    [Id(0)] public required string Event { get; init; }
    [Id(1)] public Condition? Where { get; init; }
}

[GenerateSerializer, Immutable, Alias("flows.SegmentTrigger")]
public sealed record SegmentTrigger : Trigger
{
    [Id(0)] public required ImmutableArray<string> SegmentIds { get; init; }
}

public enum ReentryMode { Never, Always, After }

/// <summary>Whether a contact that left the flow may be enrolled again: never, always, or after a period.</summary>
[GenerateSerializer, Immutable, Alias("flows.Reentry")]
[JsonConverter(typeof(ReentryJsonConverter))]
public sealed record Reentry
{
    public static readonly Reentry Never = new() { Mode = ReentryMode.Never };
    public static readonly Reentry Always = new() { Mode = ReentryMode.Always };

    [Id(0)] public ReentryMode Mode { get; init; }
    [Id(1)] public TimeSpan? After { get; init; }
}

public enum SuccessAction { Stop, Continue }

[GenerateSerializer, Immutable, Alias("flows.SuccessCriteria")]
public sealed record SuccessCriteria
{
    [Id(0)] public required Condition When { get; init; }
    [Id(1)] public SuccessAction Then { get; init; } = SuccessAction.Stop;
    [Id(2)] public string? MoveTo { get; init; }
}

[GenerateSerializer, Immutable, Alias("flows.Schedule")]
public sealed record Schedule
{
    [Id(0)] public DateTimeOffset? StartAt { get; init; }
    [Id(1)] public DateTimeOffset? EndAt { get; init; }
    /// <summary>IANA time zone of the flow, used when a contact has none.</summary>
    [Id(2)] public string? TimeZone { get; init; }
    [Id(3)] public SendWindow? SendWindow { get; init; }
}

public enum Weekday { Mon, Tue, Wed, Thu, Fri, Sat, Sun }

[GenerateSerializer, Immutable, Alias("flows.SendWindow")]
public sealed record SendWindow
{
    [Id(0)] public ImmutableArray<Weekday> Days { get; init; } = [];
    [Id(1)] public required TimeOnly From { get; init; }
    [Id(2)] public required TimeOnly To { get; init; }
}
