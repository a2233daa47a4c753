using System.Collections.Immutable;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Api.OpenApi.Schemas;

/// <summary>
/// A flow as the API answers it (<c>FlowsApi.ToJson</c>): id, version, status and timestamps beside the fields of its
/// <see cref="FlowDefinition"/>. Only for the document; a test keeps its fields in step with the definition.
/// </summary>
public sealed record FlowResponse
{
    public required string Id { get; init; }

    /// <summary>The definition's version: 1 when created, one more with each edit.</summary>
    public required int Version { get; init; }

    public required FlowStatus Status { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public required DateTimeOffset? StartedAt { get; init; }
    public required DateTimeOffset? PausedAt { get; init; }
    public required DateTimeOffset? EndedAt { get; init; }
    public required string Name { get; init; }
    public required Trigger Trigger { get; init; }
    public Condition? Filter { get; init; }
    public required Reentry Reentry { get; init; }
    public SuccessCriteria? Success { get; init; }
    public Schedule? Schedule { get; init; }
    public required string StartStepId { get; init; }
    public required ImmutableArray<Step> Steps { get; init; }
}
