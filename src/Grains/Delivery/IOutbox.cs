namespace Orleans.Flows.Delivery;

/// <summary>
/// Where steps hand their messages. Recording a message is idempotent by its id: a replayed step gets the
/// first receipt back, marked as a duplicate, and nothing is sent twice.
/// </summary>
public interface IOutbox
{
    Task<DeliveryReceipt> EnqueueAsync(OutboxMessage message);

    /// <summary>Erases every message of an erased contact.</summary>
    Task ForgetContactAsync(string contactId);
}
