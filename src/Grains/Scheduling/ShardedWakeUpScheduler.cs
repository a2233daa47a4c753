using Microsoft.Extensions.Options;
using Orleans.Flows.Participants;

namespace Orleans.Flows.Scheduling;

/// <summary>
/// Wake-ups as rows of a due table, each in the shard its grain id hashes to. No reminder per participant: a
/// million waiting participants cost a million rows and nothing else, and the shard grains wake them in batches.
/// </summary>
public sealed class ShardedWakeUpScheduler(IDueWakeUps table, IOptions<WakeUpOptions> options) : IWakeUpScheduler
{
    public Task ScheduleAsync(GrainId participant, DateTimeOffset wakeAt) =>
        table.ScheduleAsync(participant, ShardOf(participant, options.Value.Shards), wakeAt);

    public Task CancelAsync(GrainId participant) => table.CancelAsync(participant);

    public static int ShardOf(GrainId grain, int shards) => (int)(grain.GetUniformHashCode() % (uint)shards);
}
