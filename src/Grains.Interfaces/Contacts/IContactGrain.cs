using System.Collections.Immutable;

namespace Orleans.Flows.Contacts;

/// <summary>
/// One contact, keyed by its id: attributes, consent, tags, recent events and the flows it has been in.
/// </summary>
public interface IContactGrain : IGrainWithStringKey
{
    /// <summary>Creates or merges the contact and records <c>contact.created</c> or <c>contact.updated</c>.</summary>
    Task<ContactUpsertResult> UpsertAsync(ContactChange change);

    Task<Contact?> GetAsync();

    /// <summary>The contact with the events a condition may ask about; null when the contact does not exist.</summary>
    Task<ContactSnapshot?> GetSnapshotAsync();

    /// <summary>Applies a flow's update once per <paramref name="operationId"/>, so a replayed step does not count twice.</summary>
    Task<Contact?> ApplyFlowUpdateAsync(string operationId, ContactUpdate update);

    /// <summary>Remembers that the contact takes part in a flow.</summary>
    Task AddFlowAsync(string flowId);

    Task<ImmutableArray<ContactFlow>> GetFlowsAsync();

    /// <summary>Takes the contact out of every flow and erases its data. False when it did not exist.</summary>
    Task<bool> EraseAsync();
}

/// <summary>A contact with its recent events: the whole input a condition can look at.</summary>
[GenerateSerializer, Immutable, Alias("flows.ContactSnapshot")]
public sealed record ContactSnapshot(
    [property: Id(0)] Contact Contact,
    [property: Id(1)] ImmutableArray<ContactEvent> Events);
