using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.Flows.Contacts;
using Orleans.Flows.Hosting;
using Orleans.Flows.Participants;
using Orleans.Flows.Scheduling;
using Orleans.Flows.Silo.Storage;

namespace Orleans.Flows.Silo;

/// <summary>
/// The rows <see cref="BulkEnrollment"/> reads and writes: contacts and participants in <c>flows_grain_state</c> (as
/// <c>GroupCommitGrainStorage</c> stores them, so a participant grain starts from its row), messages in
/// <c>flows_outbox</c> (as <c>PostgresOutbox</c> records them) and wake-ups in <c>flows_wakeups</c> (as
/// <c>PostgresDueWakeUps</c> keeps them).
/// </summary>
public sealed class PostgresParticipantBulkStore(NpgsqlDataSource database, IOptions<WakeUpOptions> wakeUps) : IParticipantBulkStore
{
    private static readonly FlowStateSerializer Serializer = new();

    public async Task<BulkPage> LoadAsync(string flowId, IReadOnlyList<string> contactIds)
    {
        await using var batch = database.CreateBatch();
        var contacts = new NpgsqlBatchCommand("select grain_key, data::text from flows_grain_state where grain_type = 'contact' and grain_key = any($1)");
        contacts.Parameters.Add(SqlArrays.Text(contactIds));
        var participants = new NpgsqlBatchCommand("select grain_key from flows_grain_state where grain_type = 'participant' and grain_key = any($1)");
        participants.Parameters.Add(SqlArrays.Text(contactIds.Select(id => ParticipantKey.Format(flowId, id))));
        batch.BatchCommands.Add(contacts);
        batch.BatchCommands.Add(participants);

        var snapshots = new Dictionary<string, ContactSnapshot>(StringComparer.Ordinal);
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await batch.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var state = Serializer.Deserialize<ContactState>(new BinaryData(Encoding.UTF8.GetBytes(reader.GetString(1))));
            if (state.Contact is { } contact) snapshots[reader.GetString(0)] = new ContactSnapshot(contact, state.Events);
        }
        await reader.NextResultAsync();
        while (await reader.ReadAsync())
            existing.Add(ParticipantKey.Parse(reader.GetString(0)).ContactId);
        return new BulkPage(snapshots, existing);
    }

    public async Task<IReadOnlyList<BulkInserted>> InsertAsync(string flowId, IReadOnlyList<BulkParticipant> participants)
    {
        if (participants.Count == 0) return [];
        await using var command = database.CreateCommand("""
            with rows as (
                select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::int[])
                  as r(contact_id, grain_key, grain_id, data, wake_at, shard)
            ),
            inserted as (
                insert into flows_grain_state (grain_type, grain_key, etag, data, updated_at)
                select 'participant', r.grain_key, 1, r.data::jsonb, now() from rows r
                on conflict (grain_type, grain_key) do nothing
                returning grain_key
            ),
            messages as (
                select * from unnest($8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::timestamptz[], $17::text[], $18::text[], $19::text[])
                  as m(grain_key, id, channel, step_id, content_id, recipient, subject, payload, created_at, body, status, error)
            ),
            sent as (
                insert into flows_outbox (id, channel, flow_id, step_id, contact_id, content_id, recipient, subject, payload, status, created_at, body, error)
                select m.id, m.channel, $7, m.step_id, split_part(m.grain_key, '/', 2), m.content_id, m.recipient, m.subject, m.payload, m.status, m.created_at, m.body::jsonb, m.error
                from messages m join inserted i on i.grain_key = m.grain_key
                on conflict (id) do nothing
                returning contact_id
            ),
            woken as (
                insert into flows_wakeups (grain_id, shard, due_at)
                select r.grain_id, r.shard, r.wake_at from rows r join inserted i on i.grain_key = r.grain_key
                where r.wake_at is not null
                on conflict (grain_id) do update set shard = excluded.shard, due_at = excluded.due_at, lease_until = null
            ),
            joined as (
                update flows_grain_state c
                set data = jsonb_set(c.data, '{flowIds}', coalesce(c.data -> 'flowIds', '[]'::jsonb) || to_jsonb($7::text)),
                    etag = c.etag + 1, updated_at = now()
                from rows r join inserted i on i.grain_key = r.grain_key
                where c.grain_type = 'contact' and c.grain_key = r.contact_id
                  and not coalesce(c.data -> 'flowIds', '[]'::jsonb) ? $7
            )
            select i.grain_key, (select count(*) from sent s where s.contact_id = split_part(i.grain_key, '/', 2))::int
            from inserted i
            """);
        var shards = wakeUps.Value.Shards;
        command.Parameters.Add(SqlArrays.Text(participants.Select(p => p.State.ContactId)));
        command.Parameters.Add(SqlArrays.Text(participants.Select(p => ParticipantKey.Format(flowId, p.State.ContactId))));
        command.Parameters.Add(SqlArrays.Text(participants.Select(p => p.Grain.ToString())));
        command.Parameters.Add(SqlArrays.Text(participants.Select(p => Encoding.UTF8.GetString(Serializer.Serialize(p.State).ToMemory().Span))));
        command.Parameters.Add(new NpgsqlParameter<DateTime?[]>
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
            TypedValue = [.. participants.Select(p => p.State.WakeAt?.UtcDateTime)],
        });
        command.Parameters.Add(new NpgsqlParameter<int[]>
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer,
            TypedValue = [.. participants.Select(p => ShardedWakeUpScheduler.ShardOf(p.Grain, shards))],
        });
        command.Parameters.AddWithValue(flowId);
        var messages = participants.SelectMany(p => p.Messages.Select(m => (Key: ParticipantKey.Format(flowId, p.State.ContactId), m.Message, m.Failure))).ToList();
        command.Parameters.Add(SqlArrays.Text(messages.Select(m => m.Key)));
        command.Parameters.Add(SqlArrays.Text(messages.Select(m => m.Message.Id)));
        command.Parameters.Add(SqlArrays.Text(messages.Select(m => m.Message.Channel.ToString().ToLowerInvariant())));
        command.Parameters.Add(SqlArrays.Text(messages.Select(m => m.Message.StepId)));
        command.Parameters.Add(SqlArrays.Text(messages.Select(m => m.Message.ContentId)));
        command.Parameters.Add(SqlArrays.Text(messages.Select(m => m.Message.To)));
        command.Parameters.Add(SqlArrays.Text(messages.Select(m => m.Message.Subject)));
        command.Parameters.Add(SqlArrays.Text(messages.Select(m => m.Message.Payload)));
        command.Parameters.Add(new NpgsqlParameter<DateTime[]>
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
            TypedValue = [.. messages.Select(m => m.Message.CreatedAt.UtcDateTime)],
        });
        command.Parameters.Add(SqlArrays.Text(messages.Select(m => PostgresOutbox.Body(m.Message))));
        command.Parameters.Add(SqlArrays.Text(messages.Select(m => m.Failure?.Status ?? Delivery.MessageStatus.Queued)));
        command.Parameters.Add(SqlArrays.Text(messages.Select(m => m.Failure?.Error)));
        var inserted = new List<BulkInserted>(participants.Count);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            inserted.Add(new BulkInserted(ParticipantKey.Parse(reader.GetString(0)).ContactId, reader.GetInt32(1)));
        return inserted;
    }
}
