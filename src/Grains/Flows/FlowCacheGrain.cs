namespace Orleans.Flows.Flows;

[SiloPinnedPlacement]
public sealed class FlowCacheGrain(FlowDefinitionCache cache, FlowTriggerIndex triggers) : Grain, IFlowCacheGrain
{
    public Task InvalidateAsync(string flowId)
    {
        cache.Invalidate(flowId);
        triggers.Invalidate();
        return Task.CompletedTask;
    }
}
