using System.Collections.Immutable;
using Orleans.Concurrency;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Segments;

/// <summary>A segment as clients define it: a static list of contact ids, or a saved filter (<see cref="Filter"/>).</summary>
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

/// <summary>
/// One segment (key: its id): a static list, or a filter whose members are the contacts that match it. Adding a
/// contact to a static list records <c>selection.added</c> on the contact; a contact that a change makes match a
/// filter records it itself (see <c>ContactGrain</c>).
/// </summary>
public interface ISegmentGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces a static list (also in place of a filter); contacts new to the list count as added.</summary>
    Task<SegmentView> PutStaticAsync(string name, ImmutableArray<string> contactIds);

    /// <summary>
    /// Creates or replaces a filter segment (also in place of a static list). The filter must be valid for a segment
    /// (see <c>FlowValidator.ValidateSegmentFilter</c>). Nobody counts as added: contacts enter it by changing.
    /// </summary>
    Task<SegmentView> PutFilterAsync(string name, Condition filter);

    /// <summary>The segment with its member count (for a filter segment: the contacts that match it now).</summary>
    [ReadOnly]
    Task<SegmentView?> GetAsync();

    /// <summary>
    /// The filter of a filter segment; null for a static list or a segment that does not exist. Interleaves, so
    /// that a contact may ask while this segment waits for that contact (adding members announces to them).
    /// </summary>
    [AlwaysInterleave]
    Task<Condition?> GetFilterAsync();

    /// <summary>
    /// Adds contacts to a static list; returns how many were not in it yet. Null, and nothing changes, when the
    /// segment does not exist or is a filter segment (<see cref="GetFilterAsync"/> tells which).
    /// </summary>
    Task<int?> AddMembersAsync(ImmutableArray<string> contactIds);

    /// <summary>False, and nothing changes, when the segment does not exist, is a filter segment, or the contact is not in the list.</summary>
    Task<bool> RemoveMemberAsync(string contactId);

    /// <summary>Members ordered by contact id (ordinal), after <paramref name="afterContactId"/>.</summary>
    [ReadOnly]
    Task<SegmentMembersPage> GetMembersAsync(string? afterContactId, int limit);
}
