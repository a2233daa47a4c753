namespace Orleans.Flows.Flows;

[SiloPinnedPlacement]
public sealed class FlowCacheGrain(FlowDefinitionCache cache) : Grain, IFlowCacheGrain
{
    public Task InvalidateAsync(string flowId)
    {
        cache.Invalidate(flowId);
        return Task.CompletedTask;
    }
}
