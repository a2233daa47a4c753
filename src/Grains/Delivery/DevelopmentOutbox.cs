using Microsoft.Extensions.Logging;

namespace Orleans.Flows.Delivery;

/// <summary>
/// The development channel: records each message in the process's <see cref="MessageLog"/> and in the log
/// instead of delivering it. Real SMTP, SMS and webhooks replace it in delivery mode.
/// </summary>
public sealed partial class DevelopmentOutbox(MessageLog log, TimeProvider time, ILogger<DevelopmentOutbox> logger) : IOutbox
{
    public Task<DeliveryReceipt> EnqueueAsync(OutboxMessage message)
    {
        var (receipt, added) = log.TryRecord(message, new DeliveryReceipt(message.Id, "sent", time.GetUtcNow()));
        if (!added) return Task.FromResult(receipt with { Duplicate = true });
        LogInformationRecorded(logger, message.Channel, message.Id, message.FlowId, message.StepId, message.ContactId, message.ContentId);
        return Task.FromResult(receipt);
    }

    public Task ForgetContactAsync(string contactId)
    {
        log.EraseContact(contactId);
        return Task.CompletedTask;
    }

    // The recipient's address is not logged: the message id leads to it.
    [LoggerMessage(Level = LogLevel.Information, Message = "Development channel recorded {Channel} message {MessageId} of flow {FlowId} step {StepId} for contact {ContactId} (content {ContentId}); nothing was delivered")]
    private static partial void LogInformationRecorded(ILogger logger, MessageChannel channel, string messageId, string flowId, string stepId, string contactId, string? contentId);
}
