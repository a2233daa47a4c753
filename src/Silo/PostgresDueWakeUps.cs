using Npgsql;
using NpgsqlTypes;
using Orleans.Flows.Scheduling;
using Orleans.Flows.Silo.Storage;

namespace Orleans.Flows.Silo;

/// <summary>
/// The due table <c>flows_wakeups</c>. Schedules and cancels of concurrent participants go together (group commit).
/// A claim only sets a lease, never deletes: the woken grain deletes or reschedules its own row, so a wake-up
/// lost with a silo is claimed again when its lease runs out. A claim skips rows another shard has locked, and
/// holds no lock while grains wake (a lock held across a grain call could deadlock with that grain's own write).
/// </summary>
public sealed class PostgresDueWakeUps : IDueWakeUps, IAsyncDisposable
{
    private readonly NpgsqlDataSource _database;
    private readonly GroupCommit<Change, bool> _changes;

    public PostgresDueWakeUps(NpgsqlDataSource database)
    {
        _database = database;
        _changes = new(ApplyAsync, maxBatch: 500, writers: 2);
    }

    public Task ScheduleAsync(GrainId grain, int shard, DateTimeOffset dueAt) => _changes.SubmitAsync(new Change(grain.ToString(), shard, dueAt));

    public Task CancelAsync(GrainId grain) => _changes.SubmitAsync(new Change(grain.ToString(), -1, null));

    public async Task<IReadOnlyList<DueWakeUp>> ClaimAsync(int shard, DateTimeOffset now, int limit, TimeSpan lease)
    {
        await using var command = _database.CreateCommand("""
            update flows_wakeups w set lease_until = $2 + $4
            from (select grain_id from flows_wakeups
                  where shard = $1 and due_at <= $2 and (lease_until is null or lease_until <= $2)
                  order by due_at
                  limit $3
                  for update skip locked) due
            where w.grain_id = due.grain_id
            returning w.grain_id, w.due_at
            """);
        command.Parameters.AddWithValue(shard);
        command.Parameters.AddWithValue(now.UtcDateTime);
        command.Parameters.AddWithValue(limit);
        command.Parameters.AddWithValue(lease);
        var claimed = new List<DueWakeUp>(limit);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            claimed.Add(new DueWakeUp(GrainId.Parse(reader.GetString(0)), reader.GetFieldValue<DateTimeOffset>(1)));
        claimed.Sort((a, b) => a.DueAt.CompareTo(b.DueAt));
        return claimed;
    }

    /// <summary>
    /// A batch of schedules and cancels, applied in order per grain: only each grain's last change counts, as a
    /// grain awaits each of its changes before it makes the next.
    /// </summary>
    private async Task<IReadOnlyList<bool>> ApplyAsync(IReadOnlyList<Change> changes)
    {
        var last = new Dictionary<string, Change>(StringComparer.Ordinal);
        foreach (var change in changes) last[change.GrainId] = change;
        var schedules = last.Values.Where(c => c.DueAt is not null).ToList();
        var cancels = last.Values.Where(c => c.DueAt is null).Select(c => c.GrainId).ToArray();

        await using var batch = _database.CreateBatch();
        if (schedules.Count > 0)
        {
            var upsert = new NpgsqlBatchCommand("""
                insert into flows_wakeups (grain_id, shard, due_at, lease_until)
                select * , null::timestamptz from unnest($1::text[], $2::int[], $3::timestamptz[])
                on conflict (grain_id) do update set shard = excluded.shard, due_at = excluded.due_at, lease_until = null
                """);
            upsert.Parameters.Add(SqlArrays.Text(schedules.Select(c => c.GrainId)));
            upsert.Parameters.Add(new NpgsqlParameter<int[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, TypedValue = [.. schedules.Select(c => c.Shard)] });
            upsert.Parameters.Add(new NpgsqlParameter<DateTime[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, TypedValue = [.. schedules.Select(c => c.DueAt!.Value.UtcDateTime)] });
            batch.BatchCommands.Add(upsert);
        }
        if (cancels.Length > 0)
        {
            var delete = new NpgsqlBatchCommand("delete from flows_wakeups where grain_id = any($1)");
            delete.Parameters.Add(SqlArrays.Text(cancels));
            batch.BatchCommands.Add(delete);
        }
        await batch.ExecuteNonQueryAsync();
        return [.. changes.Select(_ => true)];
    }

    public ValueTask DisposeAsync() => _changes.DisposeAsync();

    private readonly record struct Change(string GrainId, int Shard, DateTimeOffset? DueAt);
}
