namespace Orleans.Flows.Scheduling;

/// <summary>A wake-up that fell due: which grain, and when it was due.</summary>
public readonly record struct DueWakeUp(GrainId Grain, DateTimeOffset DueAt);

/// <summary>The durable table of due times that the wake-up shards drain (PostgreSQL in durable mode).</summary>
public interface IDueWakeUps
{
    /// <summary>Sets the grain's one due time (replacing any earlier one, and releasing a claim on it).</summary>
    Task ScheduleAsync(GrainId grain, int shard, DateTimeOffset dueAt);

    Task CancelAsync(GrainId grain);

    /// <summary>
    /// Claims up to <paramref name="limit"/> of the shard's wake-ups due at <paramref name="now"/>, earliest first, for
    /// <paramref name="lease"/>: neither rescheduled nor cancelled by then, they are claimed again.
    /// </summary>
    Task<IReadOnlyList<DueWakeUp>> ClaimAsync(int shard, DateTimeOffset now, int limit, TimeSpan lease);
}
