namespace Orleans.Flows.Statistics;

[GenerateSerializer, Alias("flows.FlowStatsState")]
public sealed record FlowStatsState
{
    [Id(0)] public FlowStats Totals { get; init; } = FlowStats.Empty;
}

/// <summary>The counters of one flow: in grain state in development mode, in <see cref="IFlowReadModelStore"/> when one is registered.</summary>
public sealed class FlowStatsGrain(
    [PersistentState("flowStats", StorageNames.Flows)] IPersistentState<FlowStatsState> state,
    IEnumerable<IFlowReadModelStore> stores) : Grain, IFlowStatsGrain
{
    private readonly IFlowReadModelStore? _store = stores.FirstOrDefault();

    public async Task ApplyAsync(FlowStats delta)
    {
        if (_store is not null)
        {
            await _store.AddStatsAsync(this.GetPrimaryKeyString(), delta);
            return;
        }
        state.State = new FlowStatsState { Totals = state.State.Totals.Add(delta) };
        await state.WriteStateAsync();
    }

    public Task<FlowStats> GetAsync() => _store?.GetStatsAsync(this.GetPrimaryKeyString()) ?? Task.FromResult(state.State.Totals);
}
