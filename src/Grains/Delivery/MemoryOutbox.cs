using System.Collections.Immutable;

namespace Orleans.Flows.Delivery;

/// <summary>
/// The outbox and message log of development mode: in this process's memory, gone with it. The same claims,
/// attempts and statuses as the PostgreSQL outbox, so dispatchers behave alike in both modes.
/// </summary>
public sealed class MemoryOutbox(TimeProvider time) : IOutbox
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _messages = new(StringComparer.Ordinal);
    // Queued ids by channel, in the order they came; claimed ones stay until completed.
    private readonly Dictionary<MessageChannel, LinkedList<string>> _queues = Enum.GetValues<MessageChannel>().ToDictionary(c => c, _ => new LinkedList<string>());

    public event Action<MessageChannel>? Queued;

    public Task<DeliveryReceipt> EnqueueAsync(OutboxMessage message, MessageFailure? failure = null)
    {
        DeliveryReceipt receipt;
        lock (_lock)
        {
            if (_messages.TryGetValue(message.Id, out var known))
                return Task.FromResult(new DeliveryReceipt(message.Id, known.Record.Status, known.RecordedAt, Duplicate: true));
            var now = time.GetUtcNow();
            var status = failure?.Status ?? MessageStatus.Queued;
            var node = failure is null ? _queues[message.Channel].AddLast(message.Id) : null;
            _messages[message.Id] = new Entry(new MessageRecord { Message = message, Status = status, Error = failure?.Error, UpdatedAt = now }, now, now, null, node);
            receipt = new DeliveryReceipt(message.Id, status, now);
        }
        if (failure is null) Queued?.Invoke(message.Channel);
        return Task.FromResult(receipt);
    }

    public Task ForgetContactAsync(string contactId)
    {
        lock (_lock)
        {
            foreach (var (id, entry) in _messages.Where(e => e.Value.Record.Message.ContactId == contactId).ToList())
            {
                _messages.Remove(id);
                if (entry.Node?.List is { } queue) queue.Remove(entry.Node);
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ClaimedMessage>> ClaimAsync(MessageChannel channel, int max, TimeSpan lease)
    {
        var claimed = new List<ClaimedMessage>();
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var node = _queues[channel].First;
            while (node is not null && claimed.Count < max)
            {
                var next = node.Next;
                var entry = _messages[node.Value];
                if (entry.ClaimedUntil is { } until && until <= now && channel == MessageChannel.Email)
                {
                    // Its dispatcher went away mid-send: the server may have it. Never sent twice.
                    Finish(entry with { Record = entry.Record with { Status = MessageStatus.Failed, Error = DeliveryErrors.UnknownOutcome, UpdatedAt = now }, ClaimedUntil = null });
                }
                else if ((entry.ClaimedUntil is null || entry.ClaimedUntil <= now) && entry.NextAttemptAt <= now)
                {
                    var record = entry.Record with { Attempts = entry.Record.Attempts + 1, UpdatedAt = now };
                    _messages[node.Value] = entry with { Record = record, ClaimedUntil = now + lease };
                    claimed.Add(new ClaimedMessage(record.Message, record.Attempts));
                }
                node = next;
            }
        }
        return Task.FromResult<IReadOnlyList<ClaimedMessage>>(claimed);
    }

    public Task CompleteAsync(DispatchResult result)
    {
        lock (_lock)
        {
            if (!_messages.TryGetValue(result.MessageId, out var entry) || entry.ClaimedUntil is null) return Task.CompletedTask;
            var record = entry.Record with
            {
                Status = result.Status,
                Error = result.Error,
                SentAt = result.Status == MessageStatus.Sent ? result.At : entry.Record.SentAt,
                UpdatedAt = result.At,
            };
            if (result.Status == MessageStatus.Queued)
                _messages[result.MessageId] = entry with { Record = record, ClaimedUntil = null, NextAttemptAt = result.NextAttemptAt ?? result.At };
            else
                Finish(entry with { Record = record, ClaimedUntil = null });
        }
        return Task.CompletedTask;
    }

    public Task<MessageRecord?> ReportAsync(string messageId, string status, string? error)
    {
        lock (_lock)
        {
            if (!_messages.TryGetValue(messageId, out var entry)) return Task.FromResult<MessageRecord?>(null);
            var record = entry.Record with { Status = status, Error = error ?? entry.Record.Error, UpdatedAt = time.GetUtcNow() };
            _messages[messageId] = entry with { Record = record };
            return Task.FromResult<MessageRecord?>(record);
        }
    }

    public Task<MessageRecord?> GetAsync(string messageId)
    {
        lock (_lock) return Task.FromResult(_messages.TryGetValue(messageId, out var entry) ? entry.Record : null);
    }

    public Task<IReadOnlyDictionary<string, MessageRecord>> GetManyAsync(IReadOnlyCollection<string> messageIds)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyDictionary<string, MessageRecord>>(messageIds.Distinct(StringComparer.Ordinal)
                .Where(_messages.ContainsKey).ToDictionary(id => id, id => _messages[id].Record, StringComparer.Ordinal));
    }

    public Task<MessagePage> QueryAsync(MessageQuery query)
    {
        lock (_lock)
        {
            var items = _messages.Values.Select(e => e.Record)
                .Where(r => query.FlowId is null || r.Message.FlowId == query.FlowId)
                .Where(r => query.ContactId is null || r.Message.ContactId == query.ContactId)
                .Where(r => query.Status is null || r.Status == query.Status)
                .Where(r => query.After is null || string.CompareOrdinal(r.Message.Id, query.After) > 0)
                .OrderBy(r => r.Message.Id, StringComparer.Ordinal)
                .Take(query.Limit + 1)
                .ToImmutableArray();
            return Task.FromResult(items.Length > query.Limit
                ? new MessagePage(items[..query.Limit], items[query.Limit - 1].Message.Id)
                : new MessagePage(items, null));
        }
    }

    public Task<long> DepthAsync()
    {
        lock (_lock) return Task.FromResult((long)_queues.Values.Sum(q => q.Count));
    }

    /// <summary>The message is done with: out of its queue, with its last record kept for the log.</summary>
    private void Finish(Entry entry)
    {
        if (entry.Node?.List is { } queue) queue.Remove(entry.Node);
        _messages[entry.Record.Message.Id] = entry with { Node = null };
    }

    /// <param name="Node">Its place in its channel's queue while it waits or is claimed; null once it is done.</param>
    private sealed record Entry(MessageRecord Record, DateTimeOffset RecordedAt, DateTimeOffset NextAttemptAt, DateTimeOffset? ClaimedUntil, LinkedListNode<string>? Node);
}

/// <summary>The reasons the engine itself gives for a message's failure.</summary>
public static class DeliveryErrors
{
    /// <summary>A dispatcher went away after it may have handed the message to the server: not sent again.</summary>
    public const string UnknownOutcome = "unknown_outcome";

    /// <summary>The content the step names was deleted before the message was rendered.</summary>
    public const string ContentNotFound = "content_not_found";
}
