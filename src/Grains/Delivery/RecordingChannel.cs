namespace Orleans.Flows.Delivery;

/// <summary>
/// The development channel, and the channel of every kind of message whose provider is not configured: the
/// message is recorded in the message log as sent, and nothing leaves the process.
/// </summary>
public sealed class RecordingChannel : IDeliveryChannel
{
    public bool Handles(MessageChannel channel) => true;

    public Task<SendOutcome> SendAsync(OutboxMessage message, CancellationToken cancellationToken) => Task.FromResult(SendOutcome.Sent);
}
