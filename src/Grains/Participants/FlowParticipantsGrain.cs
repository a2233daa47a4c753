using System.Collections.Immutable;
using Orleans.Flows.Delivery;
using Orleans.Flows.Statistics;

namespace Orleans.Flows.Participants;

[GenerateSerializer, Alias("flows.FlowParticipantsState")]
public sealed record FlowParticipantsState
{
    [Id(0)] public ImmutableSortedDictionary<string, ParticipantSummary> Rows { get; init; } = ImmutableSortedDictionary<string, ParticipantSummary>.Empty;
}

/// <summary>
/// The participant list of one flow: in grain state in development mode, in <see cref="IFlowReadModelStore"/>
/// (an indexed PostgreSQL table) when one is registered. Also the one that tells every participant of the flow
/// when it ends or resumes.
/// </summary>
public sealed class FlowParticipantsGrain(
    [PersistentState("flowParticipants", StorageNames.Flows)] IPersistentState<FlowParticipantsState> state,
    IEnumerable<IFlowReadModelStore> stores,
    IOutbox outbox) : Grain, IFlowParticipantsGrain
{
    private const int Page = 1000;
    private readonly IFlowReadModelStore? _store = stores.FirstOrDefault();

    private string FlowId => this.GetPrimaryKeyString();

    public async Task ApplyAsync(ImmutableArray<ParticipantSummary> changes)
    {
        if (_store is not null)
        {
            await _store.ApplyParticipantsAsync(FlowId, changes);
            return;
        }
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

    /// <summary>A page of the list, each last sending with the status the message log has for it now.</summary>
    public async Task<ParticipantPage> QueryAsync(ParticipantQuery query)
    {
        var page = await QueryRowsAsync(query);
        var ids = page.Items.Select(r => r.LastSending?.MessageId).OfType<string>().ToList();
        if (ids.Count == 0) return page;
        var records = await outbox.GetManyAsync(ids);
        return page with { Items = [.. page.Items.Select(r => LastSendings.Overlay(r, records))] };
    }

    private Task<ParticipantPage> QueryRowsAsync(ParticipantQuery query)
    {
        if (_store is not null) return _store.QueryParticipantsAsync(FlowId, query);
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
        await foreach (var row in RowsAsync(ParticipantStatus.Waiting))
            await Participant(row).ResumeAsync();
    }

    private async Task EndListedAsync()
    {
        // EndAsync is one-way and a participant that already left ignores it, so a second pass is harmless.
        foreach (var status in new[] { ParticipantStatus.Waiting, ParticipantStatus.Active })
            await foreach (var row in RowsAsync(status))
                await Participant(row).EndAsync();
    }

    private async IAsyncEnumerable<ParticipantSummary> RowsAsync(ParticipantStatus status)
    {
        string? after = null;
        do
        {
            var page = await QueryRowsAsync(new ParticipantQuery { Status = status, AfterContactId = after, Limit = Page });
            foreach (var row in page.Items) yield return row;
            after = page.NextAfterContactId;
        }
        while (after is not null);
    }

    private IParticipantGrain Participant(ParticipantSummary row) => GrainFactory.GetGrain<IParticipantGrain>(ParticipantKey.Format(row.FlowId, row.ContactId));
}
