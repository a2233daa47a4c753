namespace Orleans.Flows.Flows;

/// <summary>
/// One per silo (key: the silo's address), placed on that silo: the way a flow grain reaches every silo's
/// definition cache when the flow changes.
/// </summary>
public interface IFlowCacheGrain : IGrainWithStringKey
{
    Task InvalidateAsync(string flowId);
}
