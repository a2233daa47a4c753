using System.Collections.Immutable;
using System.Data.Common;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Orleans.Flows.Delivery;
using Orleans.Flows.Silo.Storage;

namespace Orleans.Flows.Silo;

/// <summary>
/// The outbox and message log of durable mode, in <c>flows_outbox</c> (schema 0003 and 0006). Each message is
/// inserted once by its id, so a step that runs again after a crash (on any silo) gets the first receipt back as a
/// duplicate. Dispatchers on every silo claim due rows with <c>for update skip locked</c>: no two get the same
/// message. Inserts and outcomes of concurrent participants and sends are written together (group commit).
/// </summary>
public sealed class PostgresOutbox : IOutbox, IAsyncDisposable
{
    private const string Columns = "id, channel, flow_id, step_id, contact_id, content_id, recipient, subject, payload, created_at, body, status, attempts, error, sent_at, updated_at";

    private readonly NpgsqlDataSource _database;
    private readonly GroupCommit<(OutboxMessage Message, MessageFailure? Failure), DeliveryReceipt> _inserts;
    private readonly GroupCommit<DispatchResult, bool> _outcomes;

    public PostgresOutbox(NpgsqlDataSource database)
    {
        _database = database;
        _inserts = new(InsertAsync, maxBatch: 500, writers: 2);
        _outcomes = new(CompleteAsync, maxBatch: 500, writers: 2);
    }

    public event Action<MessageChannel>? Queued;

    public async Task<DeliveryReceipt> EnqueueAsync(OutboxMessage message, MessageFailure? failure = null)
    {
        var receipt = await _inserts.SubmitAsync((message, failure));
        if (!receipt.Duplicate && failure is null) Queued?.Invoke(message.Channel);
        return receipt;
    }

    public async Task ForgetContactAsync(string contactId)
    {
        await using var command = _database.CreateCommand("delete from flows_outbox where contact_id = $1");
        command.Parameters.AddWithValue(contactId);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyList<ClaimedMessage>> ClaimAsync(MessageChannel channel, int max, TimeSpan lease)
    {
        var name = ChannelName(channel);
        if (channel == MessageChannel.Email)
        {
            // Claims that ran out: the server may have taken the email, so it is not sent again (README, Delivery).
            await using var expire = _database.CreateCommand("""
                update flows_outbox set status = 'failed', error = 'unknown_outcome', claimed_until = null, updated_at = now()
                where status = 'queued' and claimed_until < now() and channel = 'email'
                """);
            await expire.ExecuteNonQueryAsync();
        }
        await using var claim = _database.CreateCommand($"""
            with due as (
                select id from flows_outbox
                where status = 'queued' and channel = $1 and next_attempt_at <= now()
                  and (claimed_until is null or ($1 <> 'email' and claimed_until < now()))
                order by next_attempt_at
                limit $2
                for update skip locked
            )
            update flows_outbox o set claimed_until = now() + $3, attempts = o.attempts + 1, updated_at = now()
            from due where o.id = due.id
            returning {string.Join(", ", Columns.Split(", ").Select(c => "o." + c))}
            """);
        claim.Parameters.AddWithValue(name);
        claim.Parameters.AddWithValue(max);
        claim.Parameters.AddWithValue(lease);
        var claimed = new List<ClaimedMessage>();
        await using var reader = await claim.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var record = Read(reader);
            claimed.Add(new ClaimedMessage(record.Message, record.Attempts));
        }
        return claimed;
    }

    public Task CompleteAsync(DispatchResult result) => _outcomes.SubmitAsync(result);

    public async Task<MessageRecord?> ReportAsync(string messageId, string status, string? error)
    {
        await using var command = _database.CreateCommand($"""
            update flows_outbox set status = $2, error = coalesce($3, error), updated_at = now()
            where id = $1
            returning {Columns}
            """);
        command.Parameters.AddWithValue(messageId);
        command.Parameters.AddWithValue(status);
        command.Parameters.AddWithValue(NpgsqlDbType.Text, (object?)error ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? Read(reader) : null;
    }

    public async Task<MessageRecord?> GetAsync(string messageId)
    {
        var records = await GetManyAsync([messageId]);
        return records.GetValueOrDefault(messageId);
    }

    public async Task<IReadOnlyDictionary<string, MessageRecord>> GetManyAsync(IReadOnlyCollection<string> messageIds)
    {
        var records = new Dictionary<string, MessageRecord>(StringComparer.Ordinal);
        if (messageIds.Count == 0) return records;
        await using var command = _database.CreateCommand($"select {Columns} from flows_outbox where id = any($1)");
        command.Parameters.Add(SqlArrays.Text(messageIds.Distinct(StringComparer.Ordinal)));
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var record = Read(reader);
            records[record.Message.Id] = record;
        }
        return records;
    }

    public async Task<MessagePage> QueryAsync(MessageQuery query)
    {
        var sql = new StringBuilder($"select {Columns} from flows_outbox where true");
        var parameters = new List<NpgsqlParameter>();
        void Where(string condition, object value)
        {
            parameters.Add(new NpgsqlParameter { Value = value });
            sql.Append(" and ").Append(condition.Replace("?", "$" + parameters.Count));
        }
        if (query.FlowId is { } flowId) Where("flow_id = ?", flowId);
        if (query.ContactId is { } contactId) Where("contact_id = ?", contactId);
        if (query.Status is { } status) Where("status = ?", status);
        if (query.After is { } after) Where("id collate \"C\" > ?", after);
        sql.Append(" order by id collate \"C\" limit ").Append(query.Limit + 1);
        await using var command = _database.CreateCommand(sql.ToString());
        foreach (var parameter in parameters) command.Parameters.Add(parameter);
        var items = ImmutableArray.CreateBuilder<MessageRecord>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) items.Add(Read(reader));
        return items.Count > query.Limit
            ? new MessagePage(items.ToImmutable()[..query.Limit], items[query.Limit - 1].Message.Id)
            : new MessagePage(items.ToImmutable(), null);
    }

    public async Task<long> DepthAsync()
    {
        await using var command = _database.CreateCommand("select count(*) from flows_outbox where status = 'queued'");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The rendered parts of a message that only the dispatcher and the message log read, as one JSON value.</summary>
    public static string Body(OutboxMessage m) =>
        JsonSerializer.Serialize(new StoredBody(m.From, m.Html, m.Text, m.UnsubscribeUrl, m.Method, m.Url), BodyJson);

    public static string ChannelName(MessageChannel channel) => channel.ToString().ToLowerInvariant();

    /// <summary>Inserts the batch's new ids; an id already there (a replayed step) answers with its first receipt.</summary>
    private async Task<IReadOnlyList<DeliveryReceipt>> InsertAsync(IReadOnlyList<(OutboxMessage Message, MessageFailure? Failure)> items)
    {
        var messages = items.Select(i => i.Message).ToList();
        var receipts = new Dictionary<string, DeliveryReceipt>(StringComparer.Ordinal);
        await using (var insert = _database.CreateCommand("""
            insert into flows_outbox (id, channel, flow_id, step_id, contact_id, content_id, recipient, subject, payload, status, created_at, body, error)
            select m.id, m.channel, m.flow_id, m.step_id, m.contact_id, m.content_id, m.recipient, m.subject, m.payload, m.status, m.created_at, m.body::jsonb, m.error
            from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[], $11::text[], $12::text[], $13::text[])
              as m(id, channel, flow_id, step_id, contact_id, content_id, recipient, subject, payload, created_at, body, status, error)
            on conflict (id) do nothing
            returning id, status, recorded_at
            """))
        {
            insert.Parameters.Add(SqlArrays.Text(messages.Select(m => m.Id)));
            insert.Parameters.Add(SqlArrays.Text(messages.Select(m => ChannelName(m.Channel))));
            insert.Parameters.Add(SqlArrays.Text(messages.Select(m => m.FlowId)));
            insert.Parameters.Add(SqlArrays.Text(messages.Select(m => m.StepId)));
            insert.Parameters.Add(SqlArrays.Text(messages.Select(m => m.ContactId)));
            insert.Parameters.Add(SqlArrays.Text(messages.Select(m => m.ContentId)));
            insert.Parameters.Add(SqlArrays.Text(messages.Select(m => m.To)));
            insert.Parameters.Add(SqlArrays.Text(messages.Select(m => m.Subject)));
            insert.Parameters.Add(SqlArrays.Text(messages.Select(m => m.Payload)));
            insert.Parameters.Add(new NpgsqlParameter<DateTime[]>
            {
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
                TypedValue = [.. messages.Select(m => m.CreatedAt.UtcDateTime)],
            });
            insert.Parameters.Add(SqlArrays.Text(messages.Select(Body)));
            insert.Parameters.Add(SqlArrays.Text(items.Select(i => i.Failure?.Status ?? MessageStatus.Queued)));
            insert.Parameters.Add(SqlArrays.Text(items.Select(i => i.Failure?.Error)));
            await using var reader = await insert.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                receipts[reader.GetString(0)] = new DeliveryReceipt(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2));
        }

        var repeated = messages.Select(m => m.Id).Where(id => !receipts.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToArray();
        if (repeated.Length > 0)
        {
            await using var select = _database.CreateCommand("select id, status, recorded_at from flows_outbox where id = any($1)");
            select.Parameters.Add(SqlArrays.Text(repeated));
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                receipts[reader.GetString(0)] = new DeliveryReceipt(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), Duplicate: true);
        }
        // A message erased with its contact between the two statements: nothing to answer but that it is gone.
        return [.. messages.Select(m => receipts.TryGetValue(m.Id, out var r) ? r : new DeliveryReceipt(m.Id, MessageStatus.Queued, m.CreatedAt, Duplicate: true))];
    }

    /// <summary>Writes the outcomes of claimed messages; one for a message no longer claimed (expired, erased) changes nothing.</summary>
    private async Task<IReadOnlyList<bool>> CompleteAsync(IReadOnlyList<DispatchResult> results)
    {
        await using var update = _database.CreateCommand("""
            update flows_outbox o
            set status = r.status, error = r.error, updated_at = r.at, claimed_until = null,
                sent_at = case when r.status = 'sent' then r.at else o.sent_at end,
                next_attempt_at = coalesce(r.next_attempt_at, o.next_attempt_at)
            from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[]) as r(id, status, error, at, next_attempt_at)
            where o.id = r.id and o.claimed_until is not null
            """);
        update.Parameters.Add(SqlArrays.Text(results.Select(r => r.MessageId)));
        update.Parameters.Add(SqlArrays.Text(results.Select(r => r.Status)));
        update.Parameters.Add(SqlArrays.Text(results.Select(r => r.Error)));
        update.Parameters.Add(new NpgsqlParameter<DateTime[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, TypedValue = [.. results.Select(r => r.At.UtcDateTime)] });
        update.Parameters.Add(new NpgsqlParameter<DateTime?[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, TypedValue = [.. results.Select(r => r.NextAttemptAt?.UtcDateTime)] });
        await update.ExecuteNonQueryAsync();
        return [.. results.Select(_ => true)];
    }

    private static MessageRecord Read(DbDataReader reader)
    {
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        var body = reader.IsDBNull(10) ? null : JsonSerializer.Deserialize<StoredBody>(reader.GetString(10), BodyJson);
        var message = new OutboxMessage
        {
            Id = reader.GetString(0),
            Channel = Enum.Parse<MessageChannel>(reader.GetString(1), ignoreCase: true),
            FlowId = reader.GetString(2),
            StepId = reader.GetString(3),
            ContactId = reader.GetString(4),
            ContentId = Text(5),
            To = Text(6),
            Subject = Text(7),
            Payload = Text(8),
            CreatedAt = reader.GetFieldValue<DateTimeOffset>(9),
            From = body?.From,
            Html = body?.Html,
            Text = body?.Text,
            UnsubscribeUrl = body?.UnsubscribeUrl,
            Method = body?.Method,
            Url = body?.Url,
        };
        return new MessageRecord
        {
            Message = message,
            Status = reader.GetString(11),
            Attempts = reader.GetInt32(12),
            Error = Text(13),
            SentAt = reader.IsDBNull(14) ? null : reader.GetFieldValue<DateTimeOffset>(14),
            UpdatedAt = reader.GetFieldValue<DateTimeOffset>(15),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _inserts.DisposeAsync();
        await _outcomes.DisposeAsync();
    }

    private static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private sealed record StoredBody(string? From, string? Html, string? Text, string? UnsubscribeUrl, string? Method, string? Url);
}
