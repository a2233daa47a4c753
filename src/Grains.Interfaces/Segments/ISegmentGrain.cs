using System.Collections.Immutable;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Segments;

/// <summary>A segment as clients define it: a static list of contact ids, or (later) a saved filter.</summary>
[GenerateSerializer, Immutable, Alias("flows.SegmentView")]
public sealed record SegmentView
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public Condition? Filter { get; init; }
    [Id(3)] public long Count { get; init; }
    [Id(4)] public DateTimeOffset CreatedAt { get; init; }
    [Id(5)] public DateTimeOffset UpdatedAt { get; init; }
}

[GenerateSerializer, Immutable, Alias("flows.SegmentMembersPage")]
public sealed record SegmentMembersPage(
    [property: Id(0)] ImmutableArray<string> ContactIds,
    [property: Id(1)] string? NextAfter);

/// <summary>One segment (key: its id). Adding a contact to a static list records <c>selection.added</c> on the contact.</summary>
public interface ISegmentGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces a static list; contacts new to the list count as added.</summary>
    Task<SegmentView> PutStaticAsync(string name, ImmutableArray<string> contactIds);

    Task<SegmentView?> GetAsync();

    /// <summary>Adds contacts to a static list; returns how many were not in it yet. Null when the segment does not exist.</summary>
    Task<int?> AddMembersAsync(ImmutableArray<string> contactIds);

    /// <summary>False when the segment or the member does not exist.</summary>
    Task<bool> RemoveMemberAsync(string contactId);

    /// <summary>Members ordered by contact id, after <paramref name="afterContactId"/>.</summary>
    Task<SegmentMembersPage> GetMembersAsync(string? afterContactId, int limit);
}
