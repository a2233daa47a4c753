using System.Collections.Immutable;

namespace Orleans.Flows.Participants;

/// <summary>
/// The persisted state of one participant: small, written once per transition. It stores when it is due
/// (<see cref="WakeAt"/>), never a delay.
/// </summary>
[GenerateSerializer, Alias("flows.ParticipantState")]
public sealed record ParticipantState
{
    /// <summary>How many history lines a participant keeps; older lines are dropped first.</summary>
    public const int MaxHistory = 200;

    [Id(0)] public string FlowId { get; init; } = "";
    [Id(1)] public string ContactId { get; init; } = "";
    /// <summary>0 until the contact is first enrolled; grows by one with every enrollment (re-entry).</summary>
    [Id(2)] public int Journey { get; init; }
    [Id(3)] public int Version { get; init; }
    [Id(4)] public ParticipantStatus Status { get; init; }
    [Id(5)] public bool Succeeded { get; init; }
    [Id(6)] public string? CurrentStepId { get; init; }
    [Id(7)] public DateTimeOffset EnrolledAt { get; init; }
    [Id(8)] public DateTimeOffset? WakeAt { get; init; }
    [Id(9)] public WaitKind WaitKind { get; init; }
    [Id(10)] public string? ExitReason { get; init; }
    [Id(11)] public DateTimeOffset? LeftAt { get; init; }
    [Id(12)] public ImmutableArray<HistoryEntry> History { get; init; } = [];
    [Id(13)] public LastSending? LastSending { get; init; }
    /// <summary>How often each step ran in this journey: part of every message id, so a loop sends anew.</summary>
    [Id(14)] public ImmutableSortedDictionary<string, int> Visits { get; init; } = ImmutableSortedDictionary<string, int>.Empty;
    [Id(15)] public long Revision { get; init; }
    [Id(16)] public string? Email { get; init; }
    [Id(17)] public string? Company { get; init; }
    /// <summary>The enrollment job that started the current journey, if one did.</summary>
    [Id(18)] public string? EnrolledBy { get; init; }

    public bool Exists => Journey > 0;

    public ParticipantSummary ToSummary() => new()
    {
        FlowId = FlowId,
        ContactId = ContactId,
        Email = Email,
        Company = Company,
        EnrolledAt = EnrolledAt,
        Status = Status,
        Succeeded = Succeeded,
        CurrentStepId = CurrentStepId,
        LastSending = LastSending,
        Revision = Revision,
    };

    public ParticipantDetail ToDetail() => new()
    {
        Summary = ToSummary(),
        Version = Version,
        WakeAt = WakeAt,
        ExitReason = ExitReason,
        History = History,
    };
}
