using System.Collections.Immutable;

namespace Orleans.Flows.Content;

[GenerateSerializer, Alias("flows.ContentCatalogState")]
public sealed record ContentCatalogState
{
    [Id(0)] public ImmutableSortedDictionary<string, ContentSummary> Items { get; init; } = ImmutableSortedDictionary<string, ContentSummary>.Empty;
}

public sealed class ContentCatalogGrain(
    [PersistentState("contentCatalog", StorageNames.Flows)] IPersistentState<ContentCatalogState> state) : Grain, IContentCatalogGrain
{
    public async Task SetAsync(ContentSummary summary)
    {
        state.State = state.State with { Items = state.State.Items.SetItem(summary.Id, summary) };
        await state.WriteStateAsync();
    }

    public async Task RemoveAsync(string contentId)
    {
        if (!state.State.Items.ContainsKey(contentId)) return;
        state.State = state.State with { Items = state.State.Items.Remove(contentId) };
        await state.WriteStateAsync();
    }

    public Task<ImmutableArray<ContentSummary>> ListAsync() => Task.FromResult(state.State.Items.Values.ToImmutableArray());

    public Task<ImmutableDictionary<string, Channel>> FindAsync(ImmutableArray<string> contentIds) =>
        Task.FromResult(contentIds
            .Where(state.State.Items.ContainsKey)
            .Distinct()
            .ToImmutableDictionary(id => id, id => state.State.Items[id].Channel));
}
