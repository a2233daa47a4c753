using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Segments;

/// <summary>
/// Which contacts match a segment filter (attribute conditions with all, any and not), with the same semantics as
/// <c>ConditionEvaluator</c>. Development mode keeps contacts in a directory grain; durable mode evaluates the
/// filter in PostgreSQL over the stored contacts.
/// </summary>
public interface IContactDirectory
{
    /// <summary>Matching contacts ordered by id (ordinal), after <paramref name="afterContactId"/>; erased contacts never match.</summary>
    Task<SegmentMembersPage> MatchAsync(Condition filter, string? afterContactId, int limit);

    Task<long> CountAsync(Condition filter);

    /// <summary>
    /// Told by the contact grain after it wrote <paramref name="contact"/> (null: erased it) at <paramref name="at"/>.
    /// A directory that reads the stored contacts itself ignores it.
    /// </summary>
    Task OnContactChangedAsync(string contactId, Contact? contact, DateTimeOffset at);
}
