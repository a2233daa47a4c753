using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Orleans.Flows.Contacts;

/// <summary>
/// One contact, keyed by its id: attributes, consent, tags, recent events and the flows it has been in.
/// </summary>
/// <remarks>
/// Participants call their contact while they run, so the contact never waits on a participant while
/// holding its turn: reads interleave, and erasure tells participants without waiting for them.
/// </remarks>
public interface IContactGrain : IGrainWithStringKey
{
    /// <summary>Creates or merges the contact and records <c>contact.created</c> or <c>contact.updated</c>.</summary>
    Task<ContactUpsertResult> UpsertAsync(ContactChange change);

    /// <summary>
    /// <see cref="UpsertAsync"/> for a bulk import, which touches millions of contacts once: the contact does not
    /// stay in memory afterwards.
    /// </summary>
    Task<ContactUpsertResult> ImportAsync(ContactChange change);

    [AlwaysInterleave]
    Task<Contact?> GetAsync();

    /// <summary>
    /// Records events once per id (a repeated id is a duplicate and changes nothing, also after the grain was
    /// restarted), then hands each new event to the contact's participants and to the flows it triggers.
    /// </summary>
    Task<EventIngestResult> RecordEventsAsync(ImmutableArray<ContactEvent> events);

    /// <summary>The contact with the events a condition may ask about; null when the contact does not exist.</summary>
    [AlwaysInterleave]
    Task<ContactSnapshot?> GetSnapshotAsync();

    /// <summary>Applies a flow's update once per <paramref name="operationId"/>, so a replayed step does not count twice.</summary>
    Task<Contact?> ApplyFlowUpdateAsync(string operationId, ContactUpdate update);

    /// <summary>
    /// Remembers that the contact takes part in a flow. An enrollment job does this for millions of contacts at
    /// once, so the contact leaves memory afterwards; the next event or step that needs it loads it again.
    /// </summary>
    Task AddFlowAsync(string flowId);

    /// <summary>Where the contact stands in each flow it has been in.</summary>
    [AlwaysInterleave]
    Task<ImmutableArray<ContactFlow>> GetFlowsAsync();

    /// <summary>Takes the contact out of every flow and erases its data. False when it did not exist.</summary>
    Task<bool> EraseAsync();
}

/// <summary>A contact with its recent events: the whole input a condition can look at.</summary>
[GenerateSerializer, Immutable, Alias("flows.ContactSnapshot")]
public sealed record ContactSnapshot(
    [property: Id(0)] Contact Contact,
    [property: Id(1)] ImmutableArray<ContactEvent> Events);

[GenerateSerializer, Immutable, Alias("flows.EventIngestResult")]
public sealed record EventIngestResult([property: Id(0)] int Accepted, [property: Id(1)] int Duplicates)
{
    public EventIngestResult Add(EventIngestResult other) => new(Accepted + other.Accepted, Duplicates + other.Duplicates);
}
