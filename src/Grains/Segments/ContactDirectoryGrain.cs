using System.Collections.Immutable;
using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;

namespace Orleans.Flows.Segments;

/// <summary>
/// Development mode's contact directory: every contact as its grain last wrote it, in memory (development mode keeps
/// nothing beyond the process anyway). Kept alive, since its contents cannot be rebuilt from anywhere.
/// </summary>
[KeepAlive]
public sealed class ContactDirectoryGrain(TimeProvider time) : Grain, IContactDirectoryGrain
{
    private readonly SortedSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Contact> _contacts = new(StringComparer.Ordinal);
    // When each contact last changed, erased ones included: a one-way change that arrives late must not undo a newer one.
    private readonly Dictionary<string, DateTimeOffset> _changedAt = new(StringComparer.Ordinal);

    public Task SetAsync(string contactId, Contact? contact, DateTimeOffset at)
    {
        if (_changedAt.TryGetValue(contactId, out var known) && known > at) return Task.CompletedTask;
        _changedAt[contactId] = at;
        if (contact is null)
        {
            _ids.Remove(contactId);
            _contacts.Remove(contactId);
        }
        else
        {
            _ids.Add(contactId);
            _contacts[contactId] = contact;
        }
        return Task.CompletedTask;
    }

    public Task<SegmentMembersPage> MatchAsync(Condition filter, string? afterContactId, int limit)
    {
        var now = time.GetUtcNow();
        var page = After(afterContactId).Where(id => Matches(filter, _contacts[id], now)).Take(limit + 1).ToImmutableArray();
        return Task.FromResult(page.Length > limit
            ? new SegmentMembersPage(page.RemoveAt(limit), page[limit - 1])
            : new SegmentMembersPage(page, null));
    }

    public Task<long> CountAsync(Condition filter)
    {
        var now = time.GetUtcNow();
        return Task.FromResult(_contacts.Values.LongCount(c => Matches(filter, c, now)));
    }

    private IEnumerable<string> After(string? afterContactId)
    {
        if (afterContactId is null) return _ids;
        if (_ids.Count == 0 || string.CompareOrdinal(_ids.Max, afterContactId) <= 0) return [];
        return _ids.GetViewBetween(afterContactId, _ids.Max!).Where(id => !string.Equals(id, afterContactId, StringComparison.Ordinal));
    }

    private static bool Matches(Condition filter, Contact contact, DateTimeOffset now) =>
        ConditionEvaluator.Evaluate(filter, new ConditionScope(contact, [], now));
}
