using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Orleans.Flows.Contacts;

/// <summary>Stateless, so several batches import side by side; each batch keeps <see cref="MaxInFlight"/> calls open.</summary>
[StatelessWorker]
public sealed class ContactImportGrain : Grain, IContactImportGrain
{
    public const int MaxInFlight = 64;

    public async Task<int> UpsertAsync(ImmutableArray<ContactUpsert> contacts)
    {
        var upserted = 0;
        // The same id twice in one batch is applied in order, by one call after the other.
        foreach (var chunk in contacts.GroupBy(c => c.Id, StringComparer.Ordinal).Chunk(MaxInFlight))
        {
            await Task.WhenAll(chunk.Select(async group =>
            {
                foreach (var contact in group)
                    await GrainFactory.GetGrain<IContactGrain>(contact.Id).UpsertAsync(contact.Change);
            }));
            upserted += chunk.Sum(g => g.Count());
        }
        return upserted;
    }
}
