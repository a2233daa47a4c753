using System.Collections.Immutable;

namespace Orleans.Flows.Contacts;

/// <summary>Upserts a batch of contacts, a bounded number at a time.</summary>
public interface IContactImportGrain : IGrainWithIntegerKey
{
    /// <summary>Returns how many were upserted.</summary>
    Task<int> UpsertAsync(ImmutableArray<ContactUpsert> contacts);
}
