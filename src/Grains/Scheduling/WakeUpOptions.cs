namespace Orleans.Flows.Scheduling;

/// <summary>How waiting participants are woken (<c>WakeUps:*</c>).</summary>
public sealed class WakeUpOptions
{
    public const string Section = "WakeUps";

    /// <summary>
    /// <c>shards</c> (durable default): due times in a table, drained by <see cref="Shards"/> shard grains.
    /// <c>reminders</c>: one Orleans reminder per waiting participant (the development default, and the baseline
    /// the benchmark compares with).
    /// </summary>
    public string Scheduler { get; set; } = "shards";

    /// <summary>Shard grains that drain the due table, each over its own part of it. Default 8.</summary>
    public int Shards { get; set; } = 8;

    /// <summary>How often an idle shard looks for due wake-ups; a shard that found a full batch looks again at once. Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a claimed wake-up is held before it is claimed again (the retry of a wake-up lost with its silo). Default 30 s.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Wake-ups one shard claims at a time. Default 1 000.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>Participants one shard wakes at once: back-pressure on the silo. Default 256.</summary>
    public int MaxInFlight { get; set; } = 256;

    public bool UsesShards => string.Equals(Scheduler, "shards", StringComparison.OrdinalIgnoreCase);
}
