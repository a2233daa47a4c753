namespace Orleans.Flows.Statistics;

[GenerateSerializer, Alias("flows.FlowStatsState")]
public sealed record FlowStatsState
{
    [Id(0)] public FlowStats Totals { get; init; } = FlowStats.Empty;
}

public sealed class FlowStatsGrain(
    [PersistentState("flowStats", StorageNames.Flows)] IPersistentState<FlowStatsState> state) : Grain, IFlowStatsGrain
{
    public async Task ApplyAsync(FlowStats delta)
    {
        state.State = new FlowStatsState { Totals = state.State.Totals.Add(delta) };
        await state.WriteStateAsync();
    }

    public Task<FlowStats> GetAsync() => Task.FromResult(state.State.Totals);
}
