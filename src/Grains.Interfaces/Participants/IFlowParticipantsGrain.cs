using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Orleans.Flows.Participants;

[GenerateSerializer, Immutable, Alias("flows.ParticipantQuery")]
public sealed record ParticipantQuery
{
    [Id(0)] public ParticipantStatus? Status { get; init; }
    [Id(1)] public string? StepId { get; init; }
    /// <summary>Keyset paging: the contact id the previous page ended with.</summary>
    [Id(2)] public string? AfterContactId { get; init; }
    [Id(3)] public int Limit { get; init; } = 50;
}

[GenerateSerializer, Immutable, Alias("flows.ParticipantPage")]
public sealed record ParticipantPage(
    [property: Id(0)] ImmutableArray<ParticipantSummary> Items,
    [property: Id(1)] string? NextAfterContactId);

/// <summary>
/// The participant list of one flow (key: flow id): a read model fed in batches by each silo's
/// read-model buffer, never by a call per transition.
/// </summary>
public interface IFlowParticipantsGrain : IGrainWithStringKey
{
    Task ApplyAsync(ImmutableArray<ParticipantSummary> changes);

    Task<ParticipantPage> QueryAsync(ParticipantQuery query);

    /// <summary>Tells every participant still in the journey that the flow ended. One-way: it pages through them.</summary>
    [OneWay]
    Task EndAllAsync();

    /// <summary>Tells every waiting participant that the flow was resumed, so a wait that fell due during the pause moves on now. One-way.</summary>
    [OneWay]
    Task ResumeAllAsync();
}
