using System.Collections.Immutable;

namespace Orleans.Flows.Flows;

/// <summary>What the flow list shows of a flow, and what other grains must know of it without asking it.</summary>
[GenerateSerializer, Immutable, Alias("flows.FlowCatalogEntry")]
public sealed record FlowCatalogEntry
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public required FlowStatus Status { get; init; }
    [Id(3)] public required int Version { get; init; }
    [Id(4)] public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>Content used by any version that participants may still be on.</summary>
    [Id(5)] public ImmutableArray<string> ContentIds { get; init; } = [];
    /// <summary>The newest version's trigger: what the per-silo trigger index needs of a running flow.</summary>
    [Id(6)] public Trigger Trigger { get; init; } = new ManualTrigger();
}

[GenerateSerializer, Immutable, Alias("flows.FlowCatalogPage")]
public sealed record FlowCatalogPage(
    [property: Id(0)] ImmutableArray<FlowCatalogEntry> Items,
    [property: Id(1)] string? NextCursor);

/// <summary>The list of all flows (a single grain, key <see cref="Key"/>).</summary>
public interface IFlowCatalogGrain : IGrainWithStringKey
{
    const string Key = "all";

    Task SetAsync(FlowCatalogEntry entry);

    Task RemoveAsync(string flowId);

    /// <summary>Flows ordered by id, filtered by status and by a case-insensitive search in id and name.</summary>
    Task<FlowCatalogPage> ListAsync(FlowStatus? status, string? search, string? afterId, int limit);

    /// <summary>The ids among <paramref name="flowIds"/> that name no flow.</summary>
    Task<ImmutableArray<string>> FindMissingAsync(ImmutableArray<string> flowIds);

    /// <summary>Running flows with an event or segment trigger.</summary>
    Task<ImmutableArray<FlowCatalogEntry>> GetTriggeredFlowsAsync();

    /// <summary>A running or paused flow that uses the content, if any.</summary>
    Task<string?> FindFlowUsingContentAsync(string contentId);
}
