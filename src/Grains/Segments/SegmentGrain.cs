using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans.Flows.Contacts;
using Orleans.Flows.Values;

namespace Orleans.Flows.Segments;

[GenerateSerializer, Alias("flows.SegmentState")]
public sealed record SegmentState
{
    [Id(0)] public bool Exists { get; init; }
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public ImmutableSortedSet<string> Members { get; init; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);
    [Id(3)] public DateTimeOffset CreatedAt { get; init; }
    [Id(4)] public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A static segment. Each member it gains is told as a <c>selection.added</c> event, which is what starts segment-triggered flows.</summary>
public sealed partial class SegmentGrain(
    [PersistentState("segment", StorageNames.Flows)] IPersistentState<SegmentState> state,
    TimeProvider time,
    ILogger<SegmentGrain> logger) : Grain, ISegmentGrain
{
    private const int MaxInFlight = 64;

    private string SegmentId => this.GetPrimaryKeyString();

    public async Task<SegmentView> PutStaticAsync(string name, ImmutableArray<string> contactIds)
    {
        var now = time.GetUtcNow();
        var members = ImmutableSortedSet.CreateRange(StringComparer.Ordinal, contactIds);
        var added = members.Except(state.State.Members).ToList();
        state.State = new SegmentState
        {
            Exists = true,
            Name = name,
            Members = members,
            CreatedAt = state.State.Exists ? state.State.CreatedAt : now,
            UpdatedAt = now,
        };
        await state.WriteStateAsync();
        await AnnounceAsync(added, now);
        LogInformationSaved(logger, SegmentId, members.Count, added.Count);
        return View();
    }

    public Task<SegmentView?> GetAsync() => Task.FromResult(state.State.Exists ? View() : null);

    public async Task<int?> AddMembersAsync(ImmutableArray<string> contactIds)
    {
        if (!state.State.Exists) return null;
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
        if (!state.State.Exists || !state.State.Members.Contains(contactId)) return false;
        state.State = state.State with { Members = state.State.Members.Remove(contactId), UpdatedAt = time.GetUtcNow() };
        await state.WriteStateAsync();
        return true;
    }

    public Task<SegmentMembersPage> GetMembersAsync(string? afterContactId, int limit)
    {
        var members = afterContactId is null
            ? state.State.Members
            : state.State.Members.Where(id => string.CompareOrdinal(id, afterContactId) > 0);
        var page = members.Take(limit + 1).ToImmutableArray();
        return Task.FromResult(page.Length > limit
            ? new SegmentMembersPage(page.RemoveAt(limit), page[limit - 1])
            : new SegmentMembersPage(page, null));
    }

    /// <summary>Records <c>selection.added</c> on each new member; its contact routes it to the flows it starts.</summary>
    private async Task AnnounceAsync(List<string> added, DateTimeOffset now)
    {
        foreach (var chunk in added.Chunk(MaxInFlight))
        {
            await Task.WhenAll(chunk.Select(contactId => GrainFactory.GetGrain<IContactGrain>(contactId).RecordEventsAsync(
            [
                new ContactEvent
                {
                    Id = $"{WellKnownEvents.SelectionAdded}:{SegmentId}:{contactId}:{now.UtcTicks}",
                    Type = WellKnownEvents.SelectionAdded,
                    OccurredAt = now,
                    Properties = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("segmentId", FieldValue.Of(SegmentId))]),
                },
            ])));
        }
    }

    private SegmentView View() => new()
    {
        Id = SegmentId,
        Name = state.State.Name,
        Count = state.State.Members.Count,
        CreatedAt = state.State.CreatedAt,
        UpdatedAt = state.State.UpdatedAt,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Segment {SegmentId} saved with {Count} members, {Added} of them new")]
    private static partial void LogInformationSaved(ILogger logger, string segmentId, int count, int added);
}
