using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Flows.Delivery;

namespace Orleans.Flows.Telemetry;

/// <summary>
/// Samples <see cref="IOutbox.DepthAsync"/> for the <c>flows_outbox_depth</c> gauge every <see cref="Interval"/>: in
/// durable mode the depth is a query to PostgreSQL, which must not run inside a scrape's synchronous callback.
/// </summary>
public sealed partial class OutboxDepthSampler(IOutbox outbox, FlowsMetrics metrics, TimeProvider time, ILogger<OutboxDepthSampler> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                metrics.OutboxDepthSampled(await outbox.DepthAsync());
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database is away for a moment: the gauge keeps its last value until the next sample.
                LogDebugSampleFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The outbox depth could not be sampled; the gauge keeps its last value")]
    private static partial void LogDebugSampleFailed(ILogger logger, Exception exception);
}
