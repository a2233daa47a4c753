using Npgsql;

namespace Orleans.Flows.LoadTests;

/// <summary>What the participants' own history says about the wake-ups of one flow.</summary>
public readonly record struct WakeUpHistory(string Source, long Count, DateTimeOffset? LastAt, double P50, double P99, double Max);

/// <summary>
/// The figures read straight from the service's database: the participants' history (when each step was due and
/// when it ran) and the outbox (one row per message id).
/// </summary>
public static class BenchDatabase
{
    /// <summary>
    /// Lateness (<c>at − scheduledAt</c>) of step <paramref name="stepId"/> over every participant of the flow. Participant
    /// state is JSON (ParticipantState, camelCase): in <c>flows_grain_state</c> with the engine's own storage, or as the
    /// payload bytes of <c>orleansstorage</c> with the plain ADO.NET provider; whichever holds the flow's participants.
    /// </summary>
    public static async Task<WakeUpHistory> WakeUpsAsync(string connectionString, string flowId, string stepId, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        const string GrainState = "(select data as j from flows_grain_state where grain_type = 'participant' and grain_key like @prefix and data->>'flowId' = @flow)";
        // Every grain of the ADO.NET provider is stored as JSON by the engine's serializer; only participants have a history.
        const string AdoNet = "(select convert_from(payloadbinary, 'UTF8')::jsonb as j from orleansstorage where payloadbinary is not null and get_byte(payloadbinary, 0) = 123)";
        var source = await HasRowsAsync(connection, flowId, cancellationToken) ? ("flows_grain_state", GrainState) : ("orleansstorage", AdoNet);
        await using var query = new NpgsqlCommand($"""
            with steps as (
              select (e->>'at')::timestamptz as at,
                     extract(epoch from (e->>'at')::timestamptz - (e->>'scheduledAt')::timestamptz)::float8 as late
              from {source.Item2} s cross join lateral jsonb_array_elements(s.j->'history') e
              where s.j->>'flowId' = @flow and jsonb_typeof(s.j->'history') = 'array' and e->>'stepId' = @step
            )
            select count(*), max(at),
                   coalesce(percentile_cont(0.5) within group (order by late), 0),
                   coalesce(percentile_cont(0.99) within group (order by late), 0),
                   coalesce(max(late), 0)
            from steps
            """, connection);
        query.Parameters.AddWithValue("prefix", flowId + "/%");
        query.Parameters.AddWithValue("flow", flowId);
        query.Parameters.AddWithValue("step", stepId);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new WakeUpHistory(source.Item1, reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1),
            reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4));
    }

    /// <summary>Rows and distinct contacts of <c>flows_outbox</c> per flow and step, for the given flows.</summary>
    public static async Task<Dictionary<string, long[]>> OutboxAsync(string connectionString, string[] flowIds, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand(
            "select flow_id, step_id, count(*), count(distinct contact_id) from flows_outbox where flow_id = any(@flows) group by 1, 2", connection);
        query.Parameters.AddWithValue("flows", flowIds);
        var found = new Dictionary<string, long[]>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            found[$"{reader.GetString(0)}/{reader.GetString(1)}"] = [reader.GetInt64(2), reader.GetInt64(3)];
        return found;
    }

    private static async Task<bool> HasRowsAsync(NpgsqlConnection connection, string flowId, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("select to_regclass('flows_grain_state') is not null", connection);
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!) return false;
        await using var any = new NpgsqlCommand("select exists (select 1 from flows_grain_state where grain_type = 'participant' and grain_key like @prefix and data->>'flowId' = @flow)", connection);
        any.Parameters.AddWithValue("prefix", flowId + "/%");
        any.Parameters.AddWithValue("flow", flowId);
        return (bool)(await any.ExecuteScalarAsync(cancellationToken))!;
    }
}
