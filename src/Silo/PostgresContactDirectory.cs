using System.Collections.Immutable;
using Npgsql;
using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;
using Orleans.Flows.Segments;

namespace Orleans.Flows.Silo;

/// <summary>
/// Durable mode's contact directory: evaluates a segment filter in PostgreSQL over the contacts' stored state
/// (<c>flows_grain_state</c>, grain type <c>contact</c>; an erased contact has no <c>contact</c> there), translated
/// by <see cref="ContactFilterSql"/>. Pages are keyset pages on the primary key, in the ordinal order of ids.
/// </summary>
public sealed class PostgresContactDirectory(NpgsqlDataSource database) : IContactDirectory
{
    private const string Contact = "(s.data -> 'contact')";

    public async Task<SegmentMembersPage> MatchAsync(Condition filter, string? afterContactId, int limit)
    {
        var (joins, where, parameters) = ContactFilterSql.Translate(filter, Contact);
        var after = afterContactId is null ? "" : "and s.grain_key > @after";
        await using var batch = Query($"""
            select s.grain_key from flows_grain_state s
            {joins}
            where s.grain_type = 'contact' and jsonb_typeof({Contact}) = 'object' {after} and {where}
            order by s.grain_key
            limit @limit
            """, parameters, out var query, walkInKeyOrder: true);
        if (afterContactId is not null) query.Parameters.AddWithValue("after", afterContactId);
        query.Parameters.AddWithValue("limit", limit + 1);
        var ids = ImmutableArray.CreateBuilder<string>(limit + 1);
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            await reader.NextResultAsync();
            while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
        }
        return ids.Count > limit
            ? new SegmentMembersPage(ids.ToImmutable().RemoveAt(limit), ids[limit - 1])
            : new SegmentMembersPage(ids.ToImmutable(), null);
    }

    public async Task<long> CountAsync(Condition filter)
    {
        var (joins, where, parameters) = ContactFilterSql.Translate(filter, Contact);
        await using var batch = Query($"""
            select count(*) from flows_grain_state s
            {joins}
            where s.grain_type = 'contact' and jsonb_typeof({Contact}) = 'object' and {where}
            """, parameters, out _);
        await using var reader = await batch.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();
        return reader.GetInt64(0);
    }

    /// <summary>
    /// The query behind a statement that turns JIT compilation off for its own (implicit) transaction: the translated
    /// filter is a large expression whose compilation costs far more than its evaluation (seconds against milliseconds).
    /// </summary>
    /// <param name="walkInKeyOrder">
    /// A page walks the primary key from the cursor and stops at the page's end. The planner cannot estimate such a
    /// filter, and guessing it rare it would read and sort every contact for every page (a million contacts: seconds
    /// a page, and a segment's enrollment quadratic); with sorting and sequential scans off for this one statement it
    /// walks the index.
    /// </param>
    private NpgsqlBatch Query(string sql, IReadOnlyList<NpgsqlParameter> parameters, out NpgsqlBatchCommand query, bool walkInKeyOrder = false)
    {
        var batch = database.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(walkInKeyOrder
            ? "select set_config('jit', 'off', true), set_config('enable_sort', 'off', true), set_config('enable_seqscan', 'off', true)"
            : "select set_config('jit', 'off', true)"));
        query = new NpgsqlBatchCommand(sql);
        foreach (var parameter in parameters) query.Parameters.Add(parameter);
        batch.BatchCommands.Add(query);
        return batch;
    }

    /// <summary>Nothing to do: the contact grain's own stored state is what this directory reads.</summary>
    public Task OnContactChangedAsync(string contactId, Contact? contact, DateTimeOffset at) => Task.CompletedTask;
}
