using System.Collections.Immutable;
using Orleans.Flows.Statistics;

namespace Orleans.Flows.Participants;

[GenerateSerializer, Alias("flows.FlowParticipantsState")]
public sealed record FlowParticipantsState
{
    [Id(0)] public ImmutableSortedDictionary<string, ParticipantSummary> Rows { get; init; } = ImmutableSortedDictionary<string, ParticipantSummary>.Empty;
}

/// <summary>
/// The participant list of one flow in grain storage: the development read model. Durable mode keeps the same
/// rows in a PostgreSQL table with keyset paging.
/// </summary>
public sealed class FlowParticipantsGrain(
    [PersistentState("flowParticipants", StorageNames.Flows)] IPersistentState<FlowParticipantsState> state) : Grain, IFlowParticipantsGrain
{
    public async Task ApplyAsync(ImmutableArray<ParticipantSummary> changes)
    {
        var rows = state.State.Rows.ToBuilder();
        foreach (var change in changes)
        {
            // Silos flush independently: an older revision of a row never overwrites a newer one.
            if (rows.TryGetValue(change.ContactId, out var current) && current.Revision > change.Revision) continue;
            if (change.Erased) rows.Remove(change.ContactId);
            else rows[change.ContactId] = change;
        }
        state.State = new FlowParticipantsState { Rows = rows.ToImmutable() };
        await state.WriteStateAsync();
    }

    public Task<ParticipantPage> QueryAsync(ParticipantQuery query)
    {
        var matches = state.State.Rows.Values
            .Where(r => query.AfterContactId is null || string.CompareOrdinal(r.ContactId, query.AfterContactId) > 0)
            .Where(r => query.Status is null || r.Status == query.Status)
            .Where(r => query.StepId is null || r.CurrentStepId == query.StepId)
            .Take(query.Limit + 1)
            .ToImmutableArray();
        var page = matches.Length > query.Limit ? matches.RemoveAt(query.Limit) : matches;
        return Task.FromResult(new ParticipantPage(page, matches.Length > query.Limit ? page[^1].ContactId : null));
    }

    public async Task EndAllAsync()
    {
        await EndListedAsync();
        // Other silos flush their rows up to one interval later: look again once they have.
        this.RegisterGrainTimer(EndListedAsync, new GrainTimerCreationOptions(FlowReadModelBuffer.FlushInterval * 4, Timeout.InfiniteTimeSpan));
    }

    public async Task ResumeAllAsync()
    {
        foreach (var row in state.State.Rows.Values.Where(r => r.Status == ParticipantStatus.Waiting).ToList())
            await GrainFactory.GetGrain<IParticipantGrain>(ParticipantKey.Format(row.FlowId, row.ContactId)).ResumeAsync();
    }

    private async Task EndListedAsync()
    {
        // EndAsync is one-way and a participant that already left ignores it, so a second pass is harmless.
        foreach (var row in state.State.Rows.Values.Where(r => r.Status.IsInJourney()).ToList())
            await GrainFactory.GetGrain<IParticipantGrain>(ParticipantKey.Format(row.FlowId, row.ContactId)).EndAsync();
    }
}
