using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Orleans.Flows.Contacts;

[StatelessWorker]
public sealed class EventIngestGrain : Grain, IEventIngestGrain
{
    public const int MaxInFlight = 64;

    public async Task<EventIngestResult> IngestAsync(ImmutableArray<IncomingEvent> events)
    {
        var total = new EventIngestResult(0, 0);
        // One call per contact with its events in the order they were posted.
        var byContact = events.GroupBy(e => e.ContactId, StringComparer.Ordinal).ToList();
        foreach (var chunk in byContact.Chunk(MaxInFlight))
        {
            var results = await Task.WhenAll(chunk.Select(group =>
                GrainFactory.GetGrain<IContactGrain>(group.Key).RecordEventsAsync([.. group.Select(e => e.Event)])));
            foreach (var result in results) total = total.Add(result);
        }
        return total;
    }
}
