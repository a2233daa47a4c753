using System.Collections.Immutable;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Orleans.Flows.Flows;
using Orleans.Flows.Participants;
using Orleans.Flows.Statistics;

namespace Orleans.Flows.Silo;

/// <summary>
/// The read models of durable mode in PostgreSQL (schema 0004): one batched statement per flush for the rows,
/// counters summed in place, and keyset-paged list queries on the (flow_id, …, contact_id) indexes.
/// </summary>
public sealed class PostgresReadModelStore(NpgsqlDataSource database) : IFlowReadModelStore
{
    private static readonly string[] StatusColumns = ["active", "waiting", "completed", "succeeded", "exited", "removed", "failed"];

    public async Task AddStatsAsync(string flowId, FlowStats delta)
    {
        await using var batch = database.CreateBatch();
        var counters = new (string Column, long Value)[]
        {
            ("enrolled", delta.Enrolled), ("active", delta.Active), ("waiting", delta.Waiting), ("completed", delta.Completed),
            ("succeeded", delta.Succeeded), ("exited", delta.Exited), ("removed", delta.Removed), ("failed", delta.Failed),
            ("succeeded_total", delta.SucceededTotal), ("sends_sent", delta.Sends.Sent), ("sends_delivered", delta.Sends.Delivered),
            ("sends_failed", delta.Sends.Failed), ("sends_opened", delta.Sends.Opened), ("sends_clicked", delta.Sends.Clicked),
        };
        var columns = string.Join(", ", counters.Select(c => c.Column));
        var values = string.Join(", ", counters.Select((_, i) => $"${i + 2}"));
        var updates = string.Join(", ", counters.Select(c => $"{c.Column} = flows_stats.{c.Column} + excluded.{c.Column}"));
        var stats = new NpgsqlBatchCommand($"insert into flows_stats (flow_id, {columns}) values ($1, {values}) on conflict (flow_id) do update set {updates}");
        stats.Parameters.AddWithValue(flowId);
        foreach (var (_, value) in counters) stats.Parameters.AddWithValue(value);
        batch.BatchCommands.Add(stats);

        if (!delta.Steps.IsEmpty)
        {
            var steps = new NpgsqlBatchCommand("""
                insert into flows_step_stats (flow_id, step_id, entered, completed, waiting)
                select $1, * from unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[])
                on conflict (flow_id, step_id) do update set
                    entered = flows_step_stats.entered + excluded.entered,
                    completed = flows_step_stats.completed + excluded.completed,
                    waiting = flows_step_stats.waiting + excluded.waiting
                """);
            steps.Parameters.AddWithValue(flowId);
            steps.Parameters.AddWithValue(delta.Steps.Keys.ToArray());
            steps.Parameters.AddWithValue(delta.Steps.Values.Select(s => s.Entered).ToArray());
            steps.Parameters.AddWithValue(delta.Steps.Values.Select(s => s.Completed).ToArray());
            steps.Parameters.AddWithValue(delta.Steps.Values.Select(s => s.Waiting).ToArray());
            batch.BatchCommands.Add(steps);
        }
        await batch.ExecuteNonQueryAsync();
    }

    public async Task<FlowStats> GetStatsAsync(string flowId)
    {
        var stats = FlowStats.Empty;
        await using (var command = database.CreateCommand(
            "select enrolled, active, waiting, completed, succeeded, exited, removed, failed, succeeded_total, " +
            "sends_sent, sends_delivered, sends_failed, sends_opened, sends_clicked from flows_stats where flow_id = $1"))
        {
            command.Parameters.AddWithValue(flowId);
            await using var reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                stats = new FlowStats
                {
                    Enrolled = reader.GetInt64(0), Active = reader.GetInt64(1), Waiting = reader.GetInt64(2), Completed = reader.GetInt64(3),
                    Succeeded = reader.GetInt64(4), Exited = reader.GetInt64(5), Removed = reader.GetInt64(6), Failed = reader.GetInt64(7),
                    SucceededTotal = reader.GetInt64(8),
                    Sends = new SendStats
                    {
                        Sent = reader.GetInt64(9), Delivered = reader.GetInt64(10), Failed = reader.GetInt64(11),
                        Opened = reader.GetInt64(12), Clicked = reader.GetInt64(13),
                    },
                };
            }
        }
        var steps = ImmutableSortedDictionary.CreateBuilder<string, StepStats>(StringComparer.Ordinal);
        await using (var command = database.CreateCommand("select step_id, entered, completed, waiting from flows_step_stats where flow_id = $1"))
        {
            command.Parameters.AddWithValue(flowId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                steps[reader.GetString(0)] = new StepStats { Entered = reader.GetInt64(1), Completed = reader.GetInt64(2), Waiting = reader.GetInt64(3) };
        }
        return stats with { Steps = steps.ToImmutable() };
    }

    public async Task ApplyParticipantsAsync(string flowId, IReadOnlyCollection<ParticipantSummary> rows)
    {
        await using var batch = database.CreateBatch();
        var kept = rows.Where(r => !r.Erased).ToList();
        if (kept.Count > 0)
        {
            // A row only ever moves forward: an update that arrives after a newer one is dropped.
            var upsert = new NpgsqlBatchCommand("""
                insert into flows_participants (flow_id, contact_id, email, company, enrolled_at, status, succeeded, current_step_id, last_sending, revision)
                select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::smallint[], $7::boolean[], $8::text[], $9::jsonb[], $10::bigint[])
                on conflict (flow_id, contact_id) do update set
                    email = excluded.email, company = excluded.company, enrolled_at = excluded.enrolled_at, status = excluded.status,
                    succeeded = excluded.succeeded, current_step_id = excluded.current_step_id, last_sending = excluded.last_sending,
                    revision = excluded.revision
                where flows_participants.revision < excluded.revision
                """);
            upsert.Parameters.AddWithValue(flowId);
            upsert.Parameters.AddWithValue(kept.Select(r => r.ContactId).ToArray());
            upsert.Parameters.AddWithValue(NpgsqlDbType.Array | NpgsqlDbType.Text, kept.Select(r => (object?)r.Email ?? DBNull.Value).ToArray());
            upsert.Parameters.AddWithValue(NpgsqlDbType.Array | NpgsqlDbType.Text, kept.Select(r => (object?)r.Company ?? DBNull.Value).ToArray());
            upsert.Parameters.AddWithValue(kept.Select(r => r.EnrolledAt.ToUniversalTime()).ToArray());
            upsert.Parameters.AddWithValue(kept.Select(r => (short)r.Status).ToArray());
            upsert.Parameters.AddWithValue(kept.Select(r => r.Succeeded).ToArray());
            upsert.Parameters.AddWithValue(NpgsqlDbType.Array | NpgsqlDbType.Text, kept.Select(r => (object?)r.CurrentStepId ?? DBNull.Value).ToArray());
            upsert.Parameters.AddWithValue(NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
                kept.Select(r => r.LastSending is null ? (object)DBNull.Value : JsonSerializer.Serialize(r.LastSending, FlowJson.Options)).ToArray());
            upsert.Parameters.AddWithValue(kept.Select(r => r.Revision).ToArray());
            batch.BatchCommands.Add(upsert);
        }
        var erased = rows.Where(r => r.Erased).Select(r => r.ContactId).ToArray();
        if (erased.Length > 0)
        {
            var delete = new NpgsqlBatchCommand("delete from flows_participants where flow_id = $1 and contact_id = any($2)");
            delete.Parameters.AddWithValue(flowId);
            delete.Parameters.AddWithValue(erased);
            batch.BatchCommands.Add(delete);
        }
        if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync();
    }

    public async Task<ParticipantPage> QueryParticipantsAsync(string flowId, ParticipantQuery query)
    {
        var filters = new List<string> { "flow_id = $1" };
        await using var command = database.CreateCommand();
        command.Parameters.AddWithValue(flowId);
        if (query.Status is { } status)
        {
            command.Parameters.AddWithValue((short)status);
            filters.Add($"status = ${command.Parameters.Count}");
        }
        if (query.StepId is { } stepId)
        {
            command.Parameters.AddWithValue(stepId);
            filters.Add($"current_step_id = ${command.Parameters.Count}");
        }
        if (query.AfterContactId is { } after)
        {
            command.Parameters.AddWithValue(after);
            filters.Add($"contact_id > ${command.Parameters.Count}");
        }
        command.Parameters.AddWithValue(query.Limit + 1);
        command.CommandText =
            "select contact_id, email, company, enrolled_at, status, succeeded, current_step_id, last_sending::text, revision " +
            $"from flows_participants where {string.Join(" and ", filters)} order by contact_id limit ${command.Parameters.Count}";
        var rows = new List<ParticipantSummary>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add(new ParticipantSummary
                {
                    FlowId = flowId,
                    ContactId = reader.GetString(0),
                    Email = reader.IsDBNull(1) ? null : reader.GetString(1),
                    Company = reader.IsDBNull(2) ? null : reader.GetString(2),
                    EnrolledAt = reader.GetFieldValue<DateTimeOffset>(3),
                    Status = (ParticipantStatus)reader.GetInt16(4),
                    Succeeded = reader.GetBoolean(5),
                    CurrentStepId = reader.IsDBNull(6) ? null : reader.GetString(6),
                    LastSending = reader.IsDBNull(7) ? null : JsonSerializer.Deserialize<LastSending>(reader.GetString(7), FlowJson.Options),
                    Revision = reader.GetInt64(8),
                });
            }
        }
        var more = rows.Count > query.Limit;
        if (more) rows.RemoveAt(query.Limit);
        return new ParticipantPage([.. rows], more ? rows[^1].ContactId : null);
    }
}
