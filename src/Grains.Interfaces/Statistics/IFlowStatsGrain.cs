namespace Orleans.Flows.Statistics;

/// <summary>The counters of one flow (key: flow id), fed by per-silo aggregators that flush deltas.</summary>
public interface IFlowStatsGrain : IGrainWithStringKey
{
    Task ApplyAsync(FlowStats delta);

    Task<FlowStats> GetAsync();
}
