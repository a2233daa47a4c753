using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans.Flows.Delivery;
using Orleans.Flows.Flows;
using Orleans.Flows.Participants;
using Orleans.Flows.Segments;
using Orleans.Flows.Statistics;
using Orleans.Flows.Values;
using Orleans.Storage;

namespace Orleans.Flows.Contacts;

// A contact is a cache of its row: one that nothing has used for a while makes room, however it was activated
// (an event, a wake-up of one of its participants).
[CollectionAgeLimit(Minutes = 2)]
public sealed partial class ContactGrain(
    [PersistentState("contact", StorageNames.Flows)] IPersistentState<ContactState> state,
    FlowTriggerIndex triggers,
    SegmentFilterCache segmentFilters,
    IContactDirectory directory,
    IOutbox outbox,
    FlowReadModelBuffer readModels,
    TimeProvider time,
    ILogger<ContactGrain> logger) : Grain, IContactGrain
{
    private string ContactId => this.GetPrimaryKeyString();

    public async Task<ContactUpsertResult> UpsertAsync(ContactChange change)
    {
        var now = time.GetUtcNow();
        var existing = state.State.Contact;
        var contact = Merge(existing ?? new Contact { Id = ContactId, CreatedAt = now }, change) with { UpdatedAt = now };
        var outcome = existing is null ? UpsertOutcome.Created : UpsertOutcome.Updated;
        var recorded = new ContactEvent
        {
            Id = $"{ContactId}:{(outcome == UpsertOutcome.Created ? "created" : "updated")}:{now.UtcTicks}",
            Type = outcome == UpsertOutcome.Created ? "contact.created" : "contact.updated",
            OccurredAt = now,
        };
        ImmutableArray<ContactEvent> events = [recorded, .. await SegmentsEnteredAsync(existing, contact, now)];
        await ApplyAsync(state.State with { Contact = contact, Events = Append(state.State.Events, events) });
        await directory.OnContactChangedAsync(ContactId, contact, now);
        LogDebugUpserted(logger, ContactId, outcome);
        await RouteAsync(events);
        return new ContactUpsertResult(contact, outcome);
    }

    public async Task<ContactUpsertResult> ImportAsync(ContactChange change)
    {
        var result = await UpsertAsync(change);
        DeactivateOnIdle();
        return result;
    }

    public async Task<EventIngestResult> RecordEventsAsync(ImmutableArray<ContactEvent> events)
    {
        var seen = state.State.SeenEventIds.ToHashSet(StringComparer.Ordinal);
        var fresh = new List<ContactEvent>(events.Length);
        foreach (var e in events)
            if (seen.Add(e.Id)) fresh.Add(e);
        if (fresh.Count > 0)
        {
            var ids = state.State.SeenEventIds.AddRange(fresh.Select(e => e.Id));
            if (ids.Length > ContactState.MaxSeenEventIds) ids = ids.RemoveRange(0, ids.Length - ContactState.MaxSeenEventIds);
            var contact = state.State.Contact;
            // An unsubscribe, a hard bounce or a complaint withdraws consent in the same write that records it.
            if (contact is { Consent.Email: true } && fresh.Any(DeliveryReports.WithdrawsEmailConsent))
            {
                contact = contact with { Consent = contact.Consent with { Email = false }, UpdatedAt = time.GetUtcNow() };
                LogInformationConsentWithdrawn(logger, ContactId, fresh.First(DeliveryReports.WithdrawsEmailConsent).Type);
            }
            var consentChanged = !ReferenceEquals(contact, state.State.Contact);
            await ApplyAsync(state.State with { Contact = contact, Events = Append(state.State.Events, fresh), SeenEventIds = ids });
            if (consentChanged) await directory.OnContactChangedAsync(ContactId, contact, time.GetUtcNow());
            await ReportDeliveryAsync(fresh);
            await RouteAsync(fresh);
        }
        LogDebugEventsRecorded(logger, ContactId, fresh.Count, events.Length - fresh.Count);
        return new EventIngestResult(fresh.Count, events.Length - fresh.Count);
    }

    /// <summary>Delivery reports and engagement update their message's status and the flow's send statistics.</summary>
    private async Task ReportDeliveryAsync(IReadOnlyList<ContactEvent> events)
    {
        foreach (var e in events)
        {
            if (DeliveryReports.MessageId(e) is not { } messageId) continue;
            var stats = DeliveryReports.StatsFor(e);
            var status = DeliveryReports.MessageStatusFor(e);
            if (stats is null && status is null) continue;
            // Only a message of this contact counts: a report naming another contact's message is ignored.
            var record = await outbox.GetAsync(messageId);
            if (record is null || record.Message.ContactId != ContactId) continue;
            if (status is var (to, error)) await outbox.ReportAsync(messageId, to, error);
            if (stats is not null) readModels.RecordSends(record.Message.FlowId, stats);
        }
    }

    /// <summary>
    /// Hands new events to the participants of every flow the contact has been in (they ignore what does not
    /// concern them) and enrolls the contact into the running flows they trigger. Both one-way: those
    /// participants call this contact while they run.
    /// </summary>
    private async Task RouteAsync(IReadOnlyList<ContactEvent> events)
    {
        foreach (var e in events)
        {
            foreach (var flowId in state.State.FlowIds)
                await Participant(flowId).OnEventAsync(e);
            if (state.State.Contact is null) continue;
            foreach (var flowId in await triggers.FlowsStartedByAsync(e))
            {
                LogDebugTriggered(logger, ContactId, e.Type, flowId);
                await Participant(flowId).EnrollByAsync("event:" + e.Type);
            }
        }
    }

    /// <summary>
    /// <c>selection.added</c> for each filter segment of a running flow that the change makes the contact enter;
    /// routed like any event, it enrolls the contact into the flows those segments start.
    /// </summary>
    private async Task<ImmutableArray<ContactEvent>> SegmentsEnteredAsync(Contact? before, Contact after, DateTimeOffset now)
    {
        var filters = await segmentFilters.RunningAsync();
        if (filters.IsEmpty) return [];
        return [.. SegmentEntries.Entered(filters, before, after, now).Select(segmentId => SegmentEntries.AddedEvent(segmentId, ContactId, now))];
    }

    private IParticipantGrain Participant(string flowId) => GrainFactory.GetGrain<IParticipantGrain>(ParticipantKey.Format(flowId, ContactId));

    public Task<Contact?> GetAsync() => Task.FromResult(state.State.Contact);

    public Task<ContactSnapshot?> GetSnapshotAsync() =>
        Task.FromResult(state.State.Contact is { } contact ? new ContactSnapshot(contact, state.State.Events) : null);

    public async Task<Contact?> ApplyFlowUpdateAsync(string operationId, ContactUpdate update)
    {
        if (state.State.Contact is not { } contact) return null;
        if (state.State.AppliedOperations.Contains(operationId)) return contact;
        var operations = state.State.AppliedOperations.Add(operationId);
        if (operations.Length > ContactState.MaxOperations) operations = operations.RemoveAt(0);
        var now = time.GetUtcNow();
        var updated = update.ApplyTo(contact, now);
        var entered = await SegmentsEnteredAsync(contact, updated, now);
        await ApplyAsync(state.State with { Contact = updated, AppliedOperations = operations, Events = Append(state.State.Events, entered) });
        await directory.OnContactChangedAsync(ContactId, updated, now);
        // One-way to participants, so the participant that asked for this update may be among them.
        await RouteAsync(entered);
        return updated;
    }

    public async Task AddFlowAsync(string flowId)
    {
        if (!state.State.FlowIds.Contains(flowId))
            await ApplyAsync(state.State with { FlowIds = state.State.FlowIds.Add(flowId) });
        DeactivateOnIdle();
    }

    public async Task<ImmutableArray<ContactFlow>> GetFlowsAsync()
    {
        var flowIds = state.State.FlowIds;
        var summaries = await Task.WhenAll(flowIds.Select(flowId =>
            GrainFactory.GetGrain<IParticipantGrain>(ParticipantKey.Format(flowId, ContactId)).GetSummaryAsync()));
        return [.. summaries.OfType<ParticipantSummary>().Select(s => new ContactFlow(s.FlowId, s.Status.ToApi(), s.CurrentStepId))];
    }

    public async Task<bool> EraseAsync()
    {
        if (state.State.Contact is null && state.State.FlowIds.IsEmpty && state.State.Events.IsEmpty) return false;
        var flowIds = state.State.FlowIds;
        try
        {
            await state.ClearStateAsync();
        }
        catch (InconsistentStateException)
        {
            // An enrollment job added flows to the stored row (see ApplyAsync): leave those too.
            await state.ReadStateAsync();
            flowIds = flowIds.Union(state.State.FlowIds);
            await state.ClearStateAsync();
        }
        state.State = new ContactState();
        await directory.OnContactChangedAsync(ContactId, null, time.GetUtcNow());
        await outbox.ForgetContactAsync(ContactId);
        // One-way (see IParticipantGrain.EraseAsync): a participant may be waiting on this contact right now.
        foreach (var flowId in flowIds)
            await Participant(flowId).EraseAsync();
        LogInformationErased(logger, ContactId, flowIds.Count);
        return true;
    }

    private async Task ApplyAsync(ContactState next)
    {
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            // The one change made to a stored contact without its grain: an enrollment job that writes participants
            // in bulk adds their flows to the row. Take those over and write again; routing comes after the write,
            // so an event still reaches the new participants.
            await state.ReadStateAsync();
            state.State = next with { FlowIds = next.FlowIds.Union(state.State.FlowIds) };
            await state.WriteStateAsync();
        }
    }

    private static ImmutableArray<ContactEvent> Append(ImmutableArray<ContactEvent> events, IEnumerable<ContactEvent> added)
    {
        events = events.AddRange(added);
        return events.Length > ContactState.MaxEvents ? events.RemoveRange(0, events.Length - ContactState.MaxEvents) : events;
    }

    /// <summary>A field the client sent replaces the stored one; a field it set to null clears it; a field it left out stays.</summary>
    private static Contact Merge(Contact contact, ContactChange change)
    {
        string? Pick(string name, string? sent, string? current) => change.Clear.Contains(name) ? null : sent ?? current;
        var attributes = contact.Attributes;
        if (change.Attributes is { } sentAttributes)
            foreach (var (key, value) in sentAttributes)
                attributes = value.Kind == FieldValueKind.Null ? attributes.Remove(key) : attributes.SetItem(key, value);
        return contact with
        {
            Email = Pick("email", change.Email, contact.Email),
            Phone = Pick("phone", change.Phone, contact.Phone),
            PushToken = Pick("pushToken", change.PushToken, contact.PushToken),
            FirstName = Pick("firstName", change.FirstName, contact.FirstName),
            LastName = Pick("lastName", change.LastName, contact.LastName),
            Company = Pick("company", change.Company, contact.Company),
            TimeZone = Pick("timeZone", change.TimeZone, contact.TimeZone),
            Attributes = change.Clear.Contains("attributes") ? ImmutableSortedDictionary<string, FieldValue>.Empty : attributes,
            Tags = change.Clear.Contains("tags") ? [] : change.Tags ?? contact.Tags,
            Consent = new Consent
            {
                Email = change.EmailConsent ?? contact.Consent.Email,
                Sms = change.SmsConsent ?? contact.Consent.Sms,
                Push = change.PushConsent ?? contact.Consent.Push,
            },
        };
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Contact {ContactId} {Outcome}")]
    private static partial void LogDebugUpserted(ILogger logger, string contactId, UpsertOutcome outcome);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Contact {ContactId}: {Accepted} events recorded, {Duplicates} duplicates ignored")]
    private static partial void LogDebugEventsRecorded(ILogger logger, string contactId, int accepted, int duplicates);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Contact {ContactId}: event {EventType} triggers flow {FlowId}")]
    private static partial void LogDebugTriggered(ILogger logger, string contactId, string eventType, string flowId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Contact {ContactId} withdrew email consent ({EventType})")]
    private static partial void LogInformationConsentWithdrawn(ILogger logger, string contactId, string eventType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Contact {ContactId} erased; told {FlowCount} participants to leave")]
    private static partial void LogInformationErased(ILogger logger, string contactId, int flowCount);
}
