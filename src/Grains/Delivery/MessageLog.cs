using System.Collections.Concurrent;

namespace Orleans.Flows.Delivery;

/// <summary>The messages the development channel recorded, by id, in this process.</summary>
public sealed class MessageLog
{
    private readonly ConcurrentDictionary<string, (OutboxMessage Message, DeliveryReceipt Receipt)> _messages = new(StringComparer.Ordinal);

    /// <summary>Records the message unless its id is known; returns the receipt the id got first.</summary>
    public (DeliveryReceipt Receipt, bool Added) TryRecord(OutboxMessage message, DeliveryReceipt receipt)
    {
        var entry = _messages.GetOrAdd(message.Id, (message, receipt));
        return (entry.Receipt, ReferenceEquals(entry.Message, message));
    }

    public IReadOnlyList<OutboxMessage> ForContact(string contactId) =>
        [.. _messages.Values.Select(v => v.Message).Where(m => m.ContactId == contactId).OrderBy(m => m.CreatedAt)];

    public void EraseContact(string contactId)
    {
        foreach (var (id, entry) in _messages)
            if (entry.Message.ContactId == contactId) _messages.TryRemove(id, out _);
    }

    public int Count => _messages.Count;
}
