using System.Collections.Immutable;

namespace Orleans.Flows.Contacts;

/// <summary>Takes a batch of events and hands each contact its own, a bounded number of contacts at a time.</summary>
public interface IEventIngestGrain : IGrainWithIntegerKey
{
    Task<EventIngestResult> IngestAsync(ImmutableArray<IncomingEvent> events);
}

/// <summary>An event as a client posts it.</summary>
[GenerateSerializer, Immutable, Alias("flows.IncomingEvent")]
public sealed record IncomingEvent([property: Id(0)] string ContactId, [property: Id(1)] ContactEvent Event);
