using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orleans.Flows.Scheduling;

/// <summary>
/// Each silo asks every shard now and then to be running. Their reminders would bring them back within a minute
/// after a silo dies; this brings them back within <see cref="Interval"/>, and starts them on a new cluster.
/// </summary>
public sealed partial class WakeUpShardKeeper(IGrainFactory grains, IOptions<WakeUpOptions> options, ILogger<WakeUpShardKeeper> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await Task.WhenAll(Enumerable.Range(0, options.Value.Shards)
                    .Select(shard => grains.GetGrain<IWakeUpShardGrain>(shard).EnsureRunningAsync()));
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The silo may not have joined its cluster yet, or a shard is moving: the next round tries again.
                LogDebugNotReached(logger, e);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Wake-up shards not reached this round")]
    private static partial void LogDebugNotReached(ILogger logger, Exception exception);
}
