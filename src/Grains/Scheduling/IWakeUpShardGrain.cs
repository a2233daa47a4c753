namespace Orleans.Flows.Scheduling;

/// <summary>One shard of the due table (key: the shard number), waking the grains whose wake-ups fall due in it.</summary>
public interface IWakeUpShardGrain : IGrainWithIntegerKey
{
    /// <summary>Activates the shard if it is not running: every silo calls this now and then, so a shard lost with its silo comes back.</summary>
    Task EnsureRunningAsync();
}
