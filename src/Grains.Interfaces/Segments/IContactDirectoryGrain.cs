using Orleans.Concurrency;
using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Segments;

/// <summary>
/// Development mode's contact directory (one per cluster, key <see cref="Key"/>): the current contact of every
/// contact grain, in memory, for filter segments. Durable mode asks PostgreSQL instead.
/// </summary>
public interface IContactDirectoryGrain : IGrainWithIntegerKey
{
    const long Key = 0;

    /// <summary>
    /// A contact was written (<paramref name="contact"/>) or erased (null) at <paramref name="at"/>. One-way, so
    /// messages may arrive out of order: a change older than the one held is ignored.
    /// </summary>
    [OneWay]
    Task SetAsync(string contactId, Contact? contact, DateTimeOffset at);

    /// <summary>Contacts that match, ordered by id (ordinal), after <paramref name="afterContactId"/>.</summary>
    Task<SegmentMembersPage> MatchAsync(Condition filter, string? afterContactId, int limit);

    Task<long> CountAsync(Condition filter);
}
