using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Segments;

/// <summary>Development mode's directory: the one <see cref="IContactDirectoryGrain"/> of the cluster.</summary>
public sealed class GrainContactDirectory(IGrainFactory grains) : IContactDirectory
{
    private IContactDirectoryGrain Directory => grains.GetGrain<IContactDirectoryGrain>(IContactDirectoryGrain.Key);

    public Task<SegmentMembersPage> MatchAsync(Condition filter, string? afterContactId, int limit) => Directory.MatchAsync(filter, afterContactId, limit);

    public Task<long> CountAsync(Condition filter) => Directory.CountAsync(filter);

    public Task OnContactChangedAsync(string contactId, Contact? contact, DateTimeOffset at) => Directory.SetAsync(contactId, contact, at);
}
