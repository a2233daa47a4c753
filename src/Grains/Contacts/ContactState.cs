using System.Collections.Immutable;

namespace Orleans.Flows.Contacts;

[GenerateSerializer, Alias("flows.ContactState")]
public sealed record ContactState
{
    /// <summary>Recent events kept for conditions; older ones drop off first.</summary>
    public const int MaxEvents = 200;
    /// <summary>Flow update ids remembered so that a replayed step does not apply twice.</summary>
    public const int MaxOperations = 256;

    [Id(0)] public Contact? Contact { get; init; }
    [Id(1)] public ImmutableArray<ContactEvent> Events { get; init; } = [];
    [Id(2)] public ImmutableSortedSet<string> FlowIds { get; init; } = [];
    [Id(3)] public ImmutableArray<string> AppliedOperations { get; init; } = [];
}
