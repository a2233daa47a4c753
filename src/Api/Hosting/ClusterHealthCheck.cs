using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Api.Hosting;

/// <summary>Ready when a grain answers: the silo (or, in client mode, the cluster) is up.</summary>
public sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await grains.GetGrain<IFlowCatalogGrain>(IFlowCatalogGrain.Key).FindMissingAsync([]).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The Orleans cluster does not answer.", ex);
        }
    }
}
