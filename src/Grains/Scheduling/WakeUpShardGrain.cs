using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Flows.Participants;

namespace Orleans.Flows.Scheduling;

/// <summary>
/// Drains one shard of the due table: every <see cref="WakeUpOptions.PollInterval"/> it claims the wake-ups that
/// fell due and wakes their grains, at most <see cref="WakeUpOptions.MaxInFlight"/> at a time. An Orleans reminder
/// keeps it alive and brings it back after its silo dies; the claim's lease retries a wake-up lost on the way.
/// </summary>
public sealed partial class WakeUpShardGrain(
    IDueWakeUps table,
    IOptions<WakeUpOptions> options,
    TimeProvider time,
    ILogger<WakeUpShardGrain> logger) : Grain, IWakeUpShardGrain, IRemindable
{
    private const string KeepAlive = "wake-up-shard";

    private int Shard => (int)this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await this.RegisterOrUpdateReminder(KeepAlive, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), cancellationToken);
        this.RegisterGrainTimer(DrainAsync, new GrainTimerCreationOptions(TimeSpan.Zero, options.Value.PollInterval) { KeepAlive = true });
        LogInformationStarted(logger, Shard, RuntimeIdentity);
    }

    public Task EnsureRunningAsync() => Task.CompletedTask;

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            IReadOnlyList<DueWakeUp> due;
            try
            {
                due = await table.ClaimAsync(Shard, now, settings.BatchSize, settings.Lease);
            }
            catch (Exception e)
            {
                LogWarningClaimFailed(logger, e, Shard);
                return;
            }
            if (due.Count == 0) return;

            using var gate = new SemaphoreSlim(settings.MaxInFlight);
            await Task.WhenAll(due.Select(async wakeUp =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    await GrainFactory.GetGrain<IWakeUpTarget>(wakeUp.Grain).WakeAsync();
                }
                catch (Exception e)
                {
                    // Its claim runs out and it is claimed again: the wake-up is late, not lost.
                    LogWarningWakeFailed(logger, e, wakeUp.Grain, Shard);
                }
                finally
                {
                    gate.Release();
                }
            }));
            LogDebugWoke(logger, Shard, due.Count, (time.GetUtcNow() - due[0].DueAt).TotalMilliseconds);
            if (due.Count < settings.BatchSize) return;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Wake-up shard {Shard} running on {Silo}")]
    private static partial void LogInformationStarted(ILogger logger, int shard, string silo);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Wake-up shard {Shard} woke {Count} grains; the earliest was due {LatenessMs} ms before it finished")]
    private static partial void LogDebugWoke(ILogger logger, int shard, int count, double latenessMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Wake-up shard {Shard} could not claim due wake-ups; it tries again at its next poll")]
    private static partial void LogWarningClaimFailed(ILogger logger, Exception exception, int shard);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waking {Grain} from shard {Shard} failed; it is retried when its claim runs out")]
    private static partial void LogWarningWakeFailed(ILogger logger, Exception exception, GrainId grain, int shard);
}
