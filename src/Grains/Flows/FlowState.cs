using System.Collections.Immutable;

namespace Orleans.Flows.Flows;

[GenerateSerializer, Alias("flows.FlowState")]
public sealed record FlowState
{
    [Id(0)] public bool Exists { get; init; }
    [Id(1)] public FlowStatus Status { get; init; }
    /// <summary>Every version ever saved; version n is at index n - 1. Participants may still run on any of them.</summary>
    [Id(2)] public ImmutableArray<FlowDefinition> Versions { get; init; } = [];
    [Id(3)] public DateTimeOffset CreatedAt { get; init; }
    [Id(4)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(5)] public DateTimeOffset? StartedAt { get; init; }
    [Id(6)] public DateTimeOffset? PausedAt { get; init; }
    [Id(7)] public DateTimeOffset? EndedAt { get; init; }
    /// <summary>
    /// The flow was deleted after it ran. Its participants, statistics and list outlive it, so its id is never
    /// given to a new flow, which would inherit them.
    /// </summary>
    [Id(8)] public bool Retired { get; init; }
}
