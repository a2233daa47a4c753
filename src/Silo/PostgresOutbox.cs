using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Orleans.Flows.Delivery;
using Orleans.Flows.Silo.Storage;

namespace Orleans.Flows.Silo;

/// <summary>
/// The outbox of durable mode: each message is inserted into <c>flows_outbox</c> once by its id, so a step that
/// runs again after a crash (on any silo) gets the first receipt back as a duplicate. Messages of concurrent
/// participants are inserted together (group commit). Until real channels exist it records the message as sent,
/// like the development channel, and logs it.
/// </summary>
public sealed partial class PostgresOutbox : IOutbox, IAsyncDisposable
{
    private readonly NpgsqlDataSource _database;
    private readonly ILogger<PostgresOutbox> _logger;
    private readonly GroupCommit<OutboxMessage, DeliveryReceipt> _inserts;

    public PostgresOutbox(NpgsqlDataSource database, ILogger<PostgresOutbox> logger)
    {
        _database = database;
        _logger = logger;
        _inserts = new(InsertAsync, maxBatch: 500, writers: 2);
    }

    public async Task<DeliveryReceipt> EnqueueAsync(OutboxMessage message)
    {
        var receipt = await _inserts.SubmitAsync(message);
        if (!receipt.Duplicate)
            LogInformationRecorded(_logger, message.Channel, message.Id, message.FlowId, message.StepId, message.ContactId);
        return receipt;
    }

    public async Task ForgetContactAsync(string contactId)
    {
        await using var command = _database.CreateCommand("delete from flows_outbox where contact_id = $1");
        command.Parameters.AddWithValue(contactId);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Inserts the batch's new ids; an id already there (a replayed step) answers with its first receipt.</summary>
    private async Task<IReadOnlyList<DeliveryReceipt>> InsertAsync(IReadOnlyList<OutboxMessage> messages)
    {
        var receipts = new Dictionary<string, DeliveryReceipt>(StringComparer.Ordinal);
        await using (var insert = _database.CreateCommand("""
            insert into flows_outbox (id, channel, flow_id, step_id, contact_id, content_id, recipient, subject, payload, status, created_at)
            select m.id, m.channel, m.flow_id, m.step_id, m.contact_id, m.content_id, m.recipient, m.subject, m.payload, 'sent', m.created_at
            from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
              as m(id, channel, flow_id, step_id, contact_id, content_id, recipient, subject, payload, created_at)
            on conflict (id) do nothing
            returning id, status, recorded_at
            """))
        {
            insert.Parameters.Add(SqlArrays.Text(messages.Select(m => m.Id)));
            insert.Parameters.Add(SqlArrays.Text(messages.Select(m => m.Channel.ToString().ToLowerInvariant())));
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
        return [.. messages.Select(m => receipts.TryGetValue(m.Id, out var r) ? r : new DeliveryReceipt(m.Id, "sent", m.CreatedAt, Duplicate: true))];
    }

    public ValueTask DisposeAsync() => _inserts.DisposeAsync();

    // The recipient's address is not logged: the message id leads to it.
    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox recorded {Channel} message {MessageId} of flow {FlowId} step {StepId} for contact {ContactId}; no delivery channel is configured yet")]
    private static partial void LogInformationRecorded(ILogger logger, MessageChannel channel, string messageId, string flowId, string stepId, string contactId);
}
