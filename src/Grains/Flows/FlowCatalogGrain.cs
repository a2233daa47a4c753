using System.Collections.Immutable;

namespace Orleans.Flows.Flows;

[GenerateSerializer, Alias("flows.FlowCatalogState")]
public sealed record FlowCatalogState
{
    [Id(0)] public ImmutableSortedDictionary<string, FlowCatalogEntry> Flows { get; init; } = ImmutableSortedDictionary<string, FlowCatalogEntry>.Empty;
}

public sealed class FlowCatalogGrain(
    [PersistentState("flowCatalog", StorageNames.Flows)] IPersistentState<FlowCatalogState> state) : Grain, IFlowCatalogGrain
{
    public async Task SetAsync(FlowCatalogEntry entry)
    {
        state.State = state.State with { Flows = state.State.Flows.SetItem(entry.Id, entry) };
        await state.WriteStateAsync();
    }

    public async Task RemoveAsync(string flowId)
    {
        if (!state.State.Flows.ContainsKey(flowId)) return;
        state.State = state.State with { Flows = state.State.Flows.Remove(flowId) };
        await state.WriteStateAsync();
    }

    public Task<FlowCatalogPage> ListAsync(FlowStatus? status, string? search, string? afterId, int limit)
    {
        var matches = state.State.Flows.Values
            .Where(f => afterId is null || string.CompareOrdinal(f.Id, afterId) > 0)
            .Where(f => status is null || f.Status == status)
            .Where(f => string.IsNullOrEmpty(search) ||
                        f.Name.Contains(search, StringComparison.OrdinalIgnoreCase) ||
                        f.Id.Contains(search, StringComparison.OrdinalIgnoreCase))
            .Take(limit + 1)
            .ToImmutableArray();
        var page = matches.Length > limit ? matches.RemoveAt(limit) : matches;
        return Task.FromResult(new FlowCatalogPage(page, matches.Length > limit ? page[^1].Id : null));
    }

    public Task<ImmutableArray<string>> FindMissingAsync(ImmutableArray<string> flowIds) =>
        Task.FromResult(flowIds.Where(id => !state.State.Flows.ContainsKey(id)).ToImmutableArray());

    public Task<ImmutableArray<FlowCatalogEntry>> GetTriggeredFlowsAsync() =>
        Task.FromResult(state.State.Flows.Values
            .Where(f => f.Status == FlowStatus.Running && f.Trigger is EventTrigger or SegmentTrigger)
            .ToImmutableArray());

    public Task<string?> FindFlowUsingContentAsync(string contentId) =>
        Task.FromResult(state.State.Flows.Values
            .FirstOrDefault(f => f.Status is FlowStatus.Running or FlowStatus.Paused && f.ContentIds.Contains(contentId))?.Id);
}
