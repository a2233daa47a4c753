using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Flows.Delivery;

namespace Orleans.Flows.Silo;

/// <summary>
/// The outbox of durable mode: each message is inserted into <c>flows_outbox</c> once by its id, so a step that
/// runs again after a crash (on any silo) gets the first receipt back as a duplicate. Until real channels exist
/// it records the message as sent, like the development channel, and logs it.
/// </summary>
public sealed partial class PostgresOutbox(NpgsqlDataSource database, TimeProvider time, ILogger<PostgresOutbox> logger) : IOutbox
{
    public async Task<DeliveryReceipt> EnqueueAsync(OutboxMessage message)
    {
        const string insert = """
            insert into flows_outbox (id, channel, flow_id, step_id, contact_id, content_id, recipient, subject, payload, status, created_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'sent', $10)
            on conflict (id) do nothing
            returning status, recorded_at
            """;
        await using var command = database.CreateCommand(insert);
        command.Parameters.AddWithValue(message.Id);
        command.Parameters.AddWithValue(message.Channel.ToString().ToLowerInvariant());
        command.Parameters.AddWithValue(message.FlowId);
        command.Parameters.AddWithValue(message.StepId);
        command.Parameters.AddWithValue(message.ContactId);
        command.Parameters.AddWithValue((object?)message.ContentId ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)message.To ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)message.Subject ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)message.Payload ?? DBNull.Value);
        command.Parameters.AddWithValue(message.CreatedAt.ToUniversalTime());
        await using (var reader = await command.ExecuteReaderAsync())
        {
            if (await reader.ReadAsync())
            {
                LogInformationRecorded(logger, message.Channel, message.Id, message.FlowId, message.StepId, message.ContactId);
                return new DeliveryReceipt(message.Id, reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1));
            }
        }
        return await ExistingAsync(message.Id) ?? new DeliveryReceipt(message.Id, "sent", time.GetUtcNow(), Duplicate: true);
    }

    public async Task ForgetContactAsync(string contactId)
    {
        await using var command = database.CreateCommand("delete from flows_outbox where contact_id = $1");
        command.Parameters.AddWithValue(contactId);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<DeliveryReceipt?> ExistingAsync(string id)
    {
        await using var command = database.CreateCommand("select status, recorded_at from flows_outbox where id = $1");
        command.Parameters.AddWithValue(id);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? new DeliveryReceipt(id, reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), Duplicate: true) : null;
    }

    // The recipient's address is not logged: the message id leads to it.
    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox recorded {Channel} message {MessageId} of flow {FlowId} step {StepId} for contact {ContactId}; no delivery channel is configured yet")]
    private static partial void LogInformationRecorded(ILogger logger, MessageChannel channel, string messageId, string flowId, string stepId, string contactId);
}
