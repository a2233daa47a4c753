using System.Collections.Immutable;

namespace Orleans.Flows.Contacts;

[GenerateSerializer, Alias("flows.ContactState")]
public sealed record ContactState
{
    /// <summary>Recent events kept for conditions; older ones drop off first.</summary>
    public const int MaxEvents = 200;
    /// <summary>Flow update ids remembered so that a replayed step does not apply twice.</summary>
    public const int MaxOperations = 256;
    /// <summary>Event ids remembered for de-duplication: a repeat within the last this many events of the contact is caught.</summary>
    public const int MaxSeenEventIds = 2000;

    [Id(0)] public Contact? Contact { get; init; }
    [Id(1)] public ImmutableArray<ContactEvent> Events { get; init; } = [];
    [Id(2)] public ImmutableSortedSet<string> FlowIds { get; init; } = [];
    [Id(3)] public ImmutableArray<string> AppliedOperations { get; init; } = [];
    [Id(4)] public ImmutableArray<string> SeenEventIds { get; init; } = [];
}
