using System.Text;
using Npgsql;
using NpgsqlTypes;
using Orleans.Storage;

namespace Orleans.Flows.Silo.Storage;

/// <summary>
/// Grain state in <c>flows_grain_state</c> as JSON, with reads and writes of concurrent grains coalesced into
/// multi-row statements (<see cref="GroupCommit{TItem,TResult}"/>): a write costs a fraction of a round trip, where
/// the ADO.NET provider pays one each. Optimistic concurrency as Orleans expects: the etag counts a row's writes,
/// and a write or clear that expects another etag fails with <see cref="InconsistentStateException"/>. Clearing
/// deletes the row (an erased contact leaves nothing behind).
/// </summary>
public sealed class GroupCommitGrainStorage : IGrainStorage, IAsyncDisposable
{
    private const int MaxBatch = 500;
    private const int Writers = 4;

    private readonly NpgsqlDataSource _database;
    private readonly IGrainStorageSerializer _serializer;
    private readonly GroupCommit<StateKey, StoredState?> _reads;
    private readonly GroupCommit<StateWrite, int> _writes;
    private readonly GroupCommit<StateClear, bool> _deletes;

    public GroupCommitGrainStorage(NpgsqlDataSource database, IGrainStorageSerializer serializer)
    {
        _database = database;
        _serializer = serializer;
        _reads = new(ReadAsync, MaxBatch, Writers);
        _writes = new(WriteAsync, MaxBatch, Writers);
        _deletes = new(DeleteAsync, MaxBatch, 1);
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var stored = await _reads.SubmitAsync(KeyOf(stateName, grainId));
        if (stored is null)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }
        grainState.State = _serializer.Deserialize<T>(new BinaryData(Encoding.UTF8.GetBytes(stored.Value.Json)));
        grainState.ETag = stored.Value.ETag.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var json = Encoding.UTF8.GetString(_serializer.Serialize(grainState.State).ToMemory().Span);
        int? expected = grainState.ETag is { } etag ? int.Parse(etag, System.Globalization.CultureInfo.InvariantCulture) : null;
        var written = await _writes.SubmitAsync(new StateWrite(KeyOf(stateName, grainId), expected, json));
        if (written < 0)
            throw new InconsistentStateException($"Grain state of {grainId} was written elsewhere since it was read (etag {grainState.ETag ?? "none"}).", "unknown", grainState.ETag ?? "none");
        grainState.ETag = written.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        int? expected = grainState.ETag is { } etag ? int.Parse(etag, System.Globalization.CultureInfo.InvariantCulture) : null;
        if (!await _deletes.SubmitAsync(new StateClear(KeyOf(stateName, grainId), expected)))
            throw new InconsistentStateException($"Grain state of {grainId} was written elsewhere since it was read (etag {grainState.ETag}).", "unknown", grainState.ETag ?? "none");
        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>
    /// The row of a grain's state: its grain type (<c>contact</c>) when the state is named after it, as all the
    /// engine's are, so that SQL can find contacts by type; else the type and the state's name (<c>contact/notes</c>).
    /// </summary>
    public static StateKey KeyOf(string stateName, GrainId grainId)
    {
        var type = grainId.Type.ToString()!;
        return new(string.Equals(type, stateName, StringComparison.OrdinalIgnoreCase) ? type : type + "/" + stateName, grainId.Key.ToString()!);
    }

    private async Task<IReadOnlyList<StoredState?>> ReadAsync(IReadOnlyList<StateKey> keys)
    {
        await using var command = _database.CreateCommand("""
            select s.grain_type, s.grain_key, s.etag, s.data::text
            from flows_grain_state s
            join unnest($1::text[], $2::text[]) as k(grain_type, grain_key)
              on s.grain_type = k.grain_type and s.grain_key = k.grain_key
            """);
        command.Parameters.Add(SqlArrays.Text(keys.Select(k => k.Type)));
        command.Parameters.Add(SqlArrays.Text(keys.Select(k => k.Key)));
        var found = new Dictionary<StateKey, StoredState>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                found[new StateKey(reader.GetString(0), reader.GetString(1))] = new StoredState(reader.GetInt32(2), reader.GetString(3));
        return [.. keys.Select(k => found.TryGetValue(k, out var s) ? s : (StoredState?)null)];
    }

    /// <summary>
    /// The batch's first writes (no etag) and updates go in one round trip: a first write inserts at etag 1 unless a
    /// row is there; an update replaces the row only when its etag is the one the writer read. A write that
    /// returns no row was refused, including a stale writer's update of a row that has since been cleared.
    /// </summary>
    private async Task<IReadOnlyList<int>> WriteAsync(IReadOnlyList<StateWrite> writes)
    {
        var inserts = writes.Where(w => w.Expected is null).ToList();
        var updates = writes.Where(w => w.Expected is not null).ToList();
        await using var batch = _database.CreateBatch();
        if (inserts.Count > 0)
        {
            var insert = new NpgsqlBatchCommand("""
                insert into flows_grain_state (grain_type, grain_key, etag, data, updated_at)
                select w.grain_type, w.grain_key, 1, w.data::jsonb, now()
                from unnest($1::text[], $2::text[], $3::text[]) as w(grain_type, grain_key, data)
                on conflict (grain_type, grain_key) do nothing
                returning grain_type, grain_key, etag
                """);
            insert.Parameters.Add(SqlArrays.Text(inserts.Select(w => w.Key.Type)));
            insert.Parameters.Add(SqlArrays.Text(inserts.Select(w => w.Key.Key)));
            insert.Parameters.Add(SqlArrays.Text(inserts.Select(w => w.Json)));
            batch.BatchCommands.Add(insert);
        }
        if (updates.Count > 0)
        {
            var update = new NpgsqlBatchCommand("""
                update flows_grain_state s set etag = s.etag + 1, data = w.data::jsonb, updated_at = now()
                from unnest($1::text[], $2::text[], $3::int[], $4::text[]) as w(grain_type, grain_key, expected, data)
                where s.grain_type = w.grain_type and s.grain_key = w.grain_key and s.etag = w.expected
                returning s.grain_type, s.grain_key, s.etag
                """);
            update.Parameters.Add(SqlArrays.Text(updates.Select(w => w.Key.Type)));
            update.Parameters.Add(SqlArrays.Text(updates.Select(w => w.Key.Key)));
            update.Parameters.Add(new NpgsqlParameter<int[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, TypedValue = [.. updates.Select(w => w.Expected!.Value)] });
            update.Parameters.Add(SqlArrays.Text(updates.Select(w => w.Json)));
            batch.BatchCommands.Add(update);
        }
        var written = new Dictionary<StateKey, int>();
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            do
            {
                while (await reader.ReadAsync())
                    written[new StateKey(reader.GetString(0), reader.GetString(1))] = reader.GetInt32(2);
            }
            while (await reader.NextResultAsync());
        }
        // A key twice in one batch (only a duplicate activation does that) gets one success at most.
        var results = new int[writes.Count];
        for (var i = 0; i < writes.Count; i++)
            results[i] = written.Remove(writes[i].Key, out var etag) ? etag : -1;
        return results;
    }

    private async Task<IReadOnlyList<bool>> DeleteAsync(IReadOnlyList<StateClear> clears)
    {
        await using var command = _database.CreateCommand("""
            delete from flows_grain_state s
            using unnest($1::text[], $2::text[], $3::int[]) as k(grain_type, grain_key, expected)
            where s.grain_type = k.grain_type and s.grain_key = k.grain_key and (k.expected is null or s.etag = k.expected)
            returning s.grain_type, s.grain_key
            """);
        command.Parameters.Add(SqlArrays.Text(clears.Select(c => c.Key.Type)));
        command.Parameters.Add(SqlArrays.Text(clears.Select(c => c.Key.Key)));
        command.Parameters.Add(new NpgsqlParameter<int?[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, TypedValue = [.. clears.Select(c => c.Expected)] });
        var deleted = new HashSet<StateKey>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                deleted.Add(new StateKey(reader.GetString(0), reader.GetString(1)));
        return [.. clears.Select(c => c.Expected is null || deleted.Contains(c.Key))];
    }

    public async ValueTask DisposeAsync()
    {
        await _reads.DisposeAsync();
        await _writes.DisposeAsync();
        await _deletes.DisposeAsync();
    }

    public readonly record struct StateKey(string Type, string Key);

    private readonly record struct StoredState(int ETag, string Json);

    private readonly record struct StateWrite(StateKey Key, int? Expected, string Json);

    private readonly record struct StateClear(StateKey Key, int? Expected);
}
