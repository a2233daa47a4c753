using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Segments;

[GenerateSerializer, Alias("flows.SegmentState")]
public sealed record SegmentState
{
    [Id(0)] public bool Exists { get; init; }
    [Id(1)] public string Name { get; init; } = "";
    /// <summary>A static list's members; empty for a filter segment.</summary>
    [Id(2)] public ImmutableSortedSet<string> Members { get; init; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);
    [Id(3)] public DateTimeOffset CreatedAt { get; init; }
    [Id(4)] public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>Set for a filter segment, whose members are the contacts that match it now.</summary>
    [Id(5)] public Condition? Filter { get; init; }
}

/// <summary>
/// A static list or a filter segment. Each member a list gains is told as a <c>selection.added</c> event, which is
/// what starts segment-triggered flows; a filter segment's members are found by the <see cref="IContactDirectory"/>,
/// and contacts that change into it tell themselves (see <see cref="SegmentEntries"/>).
/// </summary>
public sealed partial class SegmentGrain(
    [PersistentState("segment", StorageNames.Flows)] IPersistentState<SegmentState> state,
    IContactDirectory directory,
    SegmentFilterCache filters,
    TimeProvider time,
    ILogger<SegmentGrain> logger) : Grain, ISegmentGrain
{
    private const int MaxInFlight = 64;

    private string SegmentId => this.GetPrimaryKeyString();

    public async Task<SegmentView> PutStaticAsync(string name, ImmutableArray<string> contactIds)
    {
        var now = time.GetUtcNow();
        var members = ImmutableSortedSet.CreateRange(StringComparer.Ordinal, contactIds);
        // A filter segment that becomes a list: every member of the list is new to it.
        var added = members.Except(state.State.Members).ToList();
        await SaveAsync(name, members, filter: null, now);
        await AnnounceAsync(added, now);
        LogInformationSaved(logger, SegmentId, members.Count, added.Count);
        return View(members.Count);
    }

    public async Task<SegmentView> PutFilterAsync(string name, Condition filter)
    {
        var now = time.GetUtcNow();
        await SaveAsync(name, ImmutableSortedSet.Create<string>(StringComparer.Ordinal), filter, now);
        var count = await directory.CountAsync(filter);
        LogInformationFilterSaved(logger, SegmentId, count);
        return View(count);
    }

    public async Task<SegmentView?> GetAsync()
    {
        if (!state.State.Exists) return null;
        return View(state.State.Filter is { } filter ? await directory.CountAsync(filter) : state.State.Members.Count);
    }

    public Task<Condition?> GetFilterAsync() => Task.FromResult(state.State.Exists ? state.State.Filter : null);

    public async Task<int?> AddMembersAsync(ImmutableArray<string> contactIds)
    {
        if (!state.State.Exists || state.State.Filter is not null) return null;
        var added = contactIds.Distinct(StringComparer.Ordinal).Where(id => !state.State.Members.Contains(id)).ToList();
        if (added.Count == 0) return 0;
        var now = time.GetUtcNow();
        state.State = state.State with { Members = state.State.Members.Union(added), UpdatedAt = now };
        await state.WriteStateAsync();
        await AnnounceAsync(added, now);
        return added.Count;
    }

    public async Task<bool> RemoveMemberAsync(string contactId)
    {
        if (!state.State.Exists || state.State.Filter is not null || !state.State.Members.Contains(contactId)) return false;
        state.State = state.State with { Members = state.State.Members.Remove(contactId), UpdatedAt = time.GetUtcNow() };
        await state.WriteStateAsync();
        return true;
    }

    public async Task<SegmentMembersPage> GetMembersAsync(string? afterContactId, int limit)
    {
        if (state.State.Filter is { } filter) return await directory.MatchAsync(filter, afterContactId, limit);
        var members = afterContactId is null
            ? state.State.Members
            : state.State.Members.Where(id => string.CompareOrdinal(id, afterContactId) > 0);
        var page = members.Take(limit + 1).ToImmutableArray();
        return page.Length > limit
            ? new SegmentMembersPage(page.RemoveAt(limit), page[limit - 1])
            : new SegmentMembersPage(page, null);
    }

    private async Task SaveAsync(string name, ImmutableSortedSet<string> members, Condition? filter, DateTimeOffset now)
    {
        state.State = new SegmentState
        {
            Exists = true,
            Name = name,
            Members = members,
            Filter = filter,
            CreatedAt = state.State.Exists ? state.State.CreatedAt : now,
            UpdatedAt = now,
        };
        await state.WriteStateAsync();
        // Contacts on this silo see the new definition at once; elsewhere within the cache's TTL.
        filters.Invalidate(SegmentId);
    }

    /// <summary>Records <c>selection.added</c> on each new member; its contact routes it to the flows it starts.</summary>
    private async Task AnnounceAsync(List<string> added, DateTimeOffset now)
    {
        foreach (var chunk in added.Chunk(MaxInFlight))
        {
            await Task.WhenAll(chunk.Select(contactId =>
                GrainFactory.GetGrain<IContactGrain>(contactId).RecordEventsAsync([SegmentEntries.AddedEvent(SegmentId, contactId, now)])));
        }
    }

    private SegmentView View(long count) => new()
    {
        Id = SegmentId,
        Name = state.State.Name,
        Filter = state.State.Filter,
        Count = count,
        CreatedAt = state.State.CreatedAt,
        UpdatedAt = state.State.UpdatedAt,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Segment {SegmentId} saved with {Count} members, {Added} of them new")]
    private static partial void LogInformationSaved(ILogger logger, string segmentId, int count, int added);

    [LoggerMessage(Level = LogLevel.Information, Message = "Segment {SegmentId} saved as a filter that {Count} contacts match")]
    private static partial void LogInformationFilterSaved(ILogger logger, string segmentId, long count);
}
