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
        // The same id twice in one batch is applied in order, by one call after the other.
        using var gate = new SemaphoreSlim(MaxInFlight);
        await Task.WhenAll(contacts.GroupBy(c => c.Id, StringComparer.Ordinal).Select(async group =>
        {
            await gate.WaitAsync();
            try
            {
                foreach (var contact in group)
                    await GrainFactory.GetGrain<IContactGrain>(contact.Id).ImportAsync(contact.Change);
            }
            finally
            {
                gate.Release();
            }
        }));
        return contacts.Length;
    }
}
