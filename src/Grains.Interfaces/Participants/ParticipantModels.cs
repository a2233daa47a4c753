using System.Collections.Immutable;
using Orleans.Flows.Content;

namespace Orleans.Flows.Participants;

public enum ParticipantStatus { Active, Waiting, Completed, Succeeded, Exited, Removed, Failed }

public static class ParticipantStatuses
{
    public static bool IsInJourney(this ParticipantStatus status) => status is ParticipantStatus.Active or ParticipantStatus.Waiting;

    public static string ToApi(this ParticipantStatus status) => status switch
    {
        ParticipantStatus.Active => "active",
        ParticipantStatus.Waiting => "waiting",
        ParticipantStatus.Completed => "completed",
        ParticipantStatus.Succeeded => "succeeded",
        ParticipantStatus.Exited => "exited",
        ParticipantStatus.Removed => "removed",
        _ => "failed",
    };
}

/// <summary>Why a participant waits: the wake-up it is due decides where it goes next.</summary>
/// <summary>What a waiting participant waits for: a <c>wait</c> step, a <c>waitForEvent</c>'s timeout, or the flow's schedule (a send window to open, the flow's <c>startAt</c>).</summary>
public enum WaitKind { None, Delay, EventTimeout, Held }

/// <summary>One line of a participant's history: what a step did, when it was due and when it ran.</summary>
[GenerateSerializer, Immutable, Alias("flows.HistoryEntry")]
public sealed record HistoryEntry
{
    [Id(0)] public string? StepId { get; init; }
    [Id(1)] public required string Type { get; init; }
    [Id(2)] public DateTimeOffset ScheduledAt { get; init; }
    [Id(3)] public DateTimeOffset At { get; init; }
    [Id(4)] public required string Outcome { get; init; }
    [Id(5)] public string? Reason { get; init; }
    /// <summary>The step the participant went to, when there is one.</summary>
    [Id(6)] public string? Next { get; init; }
    /// <summary>For a wait: when it is due to end. For a send: the message id.</summary>
    [Id(7)] public DateTimeOffset? Until { get; init; }
    [Id(8)] public string? MessageId { get; init; }
}

[GenerateSerializer, Immutable, Alias("flows.LastSending")]
public sealed record LastSending
{
    [Id(0)] public required string ContentId { get; init; }
    [Id(1)] public required string MessageId { get; init; }
    [Id(2)] public required Channel Channel { get; init; }
    [Id(3)] public DateTimeOffset At { get; init; }
    [Id(4)] public required string Status { get; init; }
}

/// <summary>A participant as the participant list shows it; also the row of the list's read model.</summary>
[GenerateSerializer, Immutable, Alias("flows.ParticipantSummary")]
public sealed record ParticipantSummary
{
    [Id(0)] public required string FlowId { get; init; }
    [Id(1)] public required string ContactId { get; init; }
    [Id(2)] public string? Email { get; init; }
    [Id(3)] public string? Company { get; init; }
    [Id(4)] public DateTimeOffset EnrolledAt { get; init; }
    [Id(5)] public ParticipantStatus Status { get; init; }
    [Id(6)] public bool Succeeded { get; init; }
    [Id(7)] public string? CurrentStepId { get; init; }
    [Id(8)] public LastSending? LastSending { get; init; }
    /// <summary>Grows with every change, so a read model can drop an update that arrives late.</summary>
    [Id(9)] public long Revision { get; init; }
    /// <summary>The contact was erased: the read model forgets the row.</summary>
    [Id(10)] public bool Erased { get; init; }
}

/// <summary>A participant in full, for <c>GET /v1/flows/{id}/participants/{contactId}</c>.</summary>
[GenerateSerializer, Immutable, Alias("flows.ParticipantDetail")]
public sealed record ParticipantDetail
{
    [Id(0)] public required ParticipantSummary Summary { get; init; }
    [Id(1)] public int Version { get; init; }
    [Id(2)] public DateTimeOffset? WakeAt { get; init; }
    [Id(3)] public string? ExitReason { get; init; }
    [Id(4)] public ImmutableArray<HistoryEntry> History { get; init; } = [];
}

/// <summary>Why a contact was not enrolled; the API names them in snake_case.</summary>
public enum EnrollSkipReason { None, ContactNotFound, FilteredOut, AlreadyEnrolled, ReentryNotAllowed, NoConsent, FlowNotRunning }

public static class EnrollSkipReasons
{
    public static string ToApi(this EnrollSkipReason reason) => reason switch
    {
        EnrollSkipReason.ContactNotFound => "contact_not_found",
        EnrollSkipReason.FilteredOut => "filtered_out",
        EnrollSkipReason.AlreadyEnrolled => "already_enrolled",
        EnrollSkipReason.ReentryNotAllowed => "reentry_not_allowed",
        EnrollSkipReason.NoConsent => "no_consent",
        EnrollSkipReason.FlowNotRunning => "flow_not_running",
        _ => "none",
    };
}

[GenerateSerializer, Immutable, Alias("flows.EnrollResult")]
public sealed record EnrollResult([property: Id(0)] EnrollSkipReason Skipped)
{
    public static readonly EnrollResult Enrolled = new(EnrollSkipReason.None);
    public bool IsEnrolled => Skipped == EnrollSkipReason.None;
}

[GenerateSerializer, Immutable, Alias("flows.EnrollmentSkip")]
public sealed record EnrollmentSkip([property: Id(0)] string ContactId, [property: Id(1)] EnrollSkipReason Reason);

[GenerateSerializer, Immutable, Alias("flows.EnrollmentOutcome")]
public sealed record EnrollmentOutcome
{
    [Id(0)] public int Enrolled { get; init; }
    [Id(1)] public ImmutableArray<EnrollmentSkip> Skipped { get; init; } = [];
    /// <summary>Set when nobody could be enrolled because of the flow's state.</summary>
    [Id(2)] public string? Conflict { get; init; }
    [Id(3)] public bool FlowNotFound { get; init; }
}
