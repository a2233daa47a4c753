using System.Collections.Immutable;
using Orleans.Concurrency;
using Orleans.Flows.Telemetry;

namespace Orleans.Flows.Contacts;

[StatelessWorker]
public sealed class EventIngestGrain(FlowsMetrics metrics) : Grain, IEventIngestGrain
{
    public const int MaxInFlight = 256;

    public async Task<EventIngestResult> IngestAsync(ImmutableArray<IncomingEvent> events)
    {
        // One call per contact with its events in the order they were posted; a slow contact holds up only its own slot.
        using var gate = new SemaphoreSlim(MaxInFlight);
        var results = await Task.WhenAll(events.GroupBy(e => e.ContactId, StringComparer.Ordinal).Select(async group =>
        {
            await gate.WaitAsync();
            try
            {
                return await GrainFactory.GetGrain<IContactGrain>(group.Key).RecordEventsAsync([.. group.Select(e => e.Event)]);
            }
            finally
            {
                gate.Release();
            }
        }));
        var total = results.Aggregate(new EventIngestResult(0, 0), (total, result) => total.Add(result));
        metrics.EventsIngested(total.Accepted);
        return total;
    }
}
