using System.Collections.Immutable;
using Orleans.Flows.Delivery;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Statistics;
using Orleans.Flows.Telemetry;

namespace Orleans.Flows.Participants;

/// <summary>
/// Enrollment without activations: the interpreter is pure, so a page of new participants is run here and written
/// as rows with their first messages and wake-ups, and a participant grain activates only when it is woken or an
/// event reaches it. Whatever this cannot do alone goes back to the grains: a contact already in the flow
/// (re-entry, idempotent repeats of a job), or a first step that changes the contact or moves it to another flow.
/// </summary>
public sealed class BulkEnrollment(IParticipantBulkStore store, OutgoingMessages outgoing, FlowReadModelBuffer readModels, FlowsMetrics metrics, IGrainFactory grains, TimeProvider time)
{
    /// <summary>Enrolls what it can of the page; <see cref="BulkOutcome.ViaGrains"/> lists the contacts left to the participant grains.</summary>
    public async Task<BulkOutcome> EnrollAsync(FlowSnapshot flow, string jobId, IReadOnlyList<string> contactIds)
    {
        var page = await store.LoadAsync(flow.Id, contactIds);
        var context = new FlowContext(flow.Id, flow.Version, flow.Definition, flow.Status);
        var now = time.GetUtcNow();
        var none = new ParticipantState();
        var viaGrains = new List<string>();
        var skipped = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var planned = new List<(string ContactId, InterpreterResult Result)>();
        var flowNotRunning = false;
        foreach (var contactId in contactIds.Distinct(StringComparer.Ordinal))
        {
            if (page.ExistingParticipants.Contains(contactId))
            {
                viaGrains.Add(contactId);
                continue;
            }
            var contact = page.Contacts.GetValueOrDefault(contactId);
            var skip = FlowInterpreter.CheckEnrollment(context, none, contact, now);
            if (skip == EnrollSkipReason.FlowNotRunning)
            {
                // The job sends the page again once the flow runs, or stops if it ended.
                flowNotRunning = true;
                continue;
            }
            if (skip != EnrollSkipReason.None)
            {
                skipped[skip.ToApi()] = skipped.GetValueOrDefault(skip.ToApi()) + 1;
                continue;
            }
            var result = FlowInterpreter.Run(context, none, contact!, ParticipantInput.Enroll, now);
            if (result.Actions.Any(a => a is UpdateContact or EnrollInFlow)) viaGrains.Add(contactId);
            else planned.Add((contactId, result));
        }

        // Messages, rows and wake-ups in one transaction: a page repeated after a crash finds all of it or none.
        var rows = new List<BulkParticipant>(planned.Count);
        foreach (var (contactId, result) in planned)
        {
            var messages = new List<(OutboxMessage, MessageFailure?)>();
            foreach (var message in result.Actions.Select(a => OutboxMessages.For(a, flow.Id, contactId, now)).OfType<OutboxMessage>())
                messages.Add(await outgoing.RenderAsync(message, result.Contact));
            var grain = grains.GetGrain<IParticipantGrain>(ParticipantKey.Format(flow.Id, contactId)).GetGrainId();
            rows.Add(new BulkParticipant(grain, result.State with { EnrolledBy = jobId }, messages));
        }
        var inserted = (await store.InsertAsync(flow.Id, rows)).Select(i => i.ContactId).ToHashSet(StringComparer.Ordinal);

        for (var i = 0; i < planned.Count; i++)
        {
            var (contactId, result) = planned[i];
            if (!inserted.Contains(contactId))
            {
                // Another enrollment of this contact won the row: the grain tells what became of it.
                viaGrains.Add(contactId);
                continue;
            }
            readModels.Record(none, rows[i].State, result.Steps);
            metrics.StepsExecuted(flow.Definition, result.Steps);
            foreach (var (message, failure) in rows[i].Messages) metrics.Message(message.Channel, failure?.Status ?? MessageStatus.Queued);
            var failed = rows[i].Messages.Count(m => m.Failure is { Status: MessageStatus.Failed });
            if (failed > 0) readModels.RecordSends(flow.Id, new SendStats { Failed = failed });
        }
        metrics.Enrolled(inserted.Count);
        return new BulkOutcome(inserted.Count, ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, skipped), [.. viaGrains], flowNotRunning);
    }
}

public sealed record BulkOutcome(int Enrolled, ImmutableSortedDictionary<string, int> Skipped, ImmutableArray<string> ViaGrains, bool FlowNotRunning);
