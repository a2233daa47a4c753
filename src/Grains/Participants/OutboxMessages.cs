using Orleans.Flows.Delivery;
using Orleans.Flows.Content;
using Orleans.Flows.Interpretation;

namespace Orleans.Flows.Participants;

/// <summary>The outbox message of an interpreter action, for the participant grain and the bulk enrollment alike.</summary>
public static class OutboxMessages
{
    /// <summary>Null for an action that is not a message (a contact update, a move to another flow).</summary>
    public static OutboxMessage? For(FlowAction action, string flowId, string contactId, DateTimeOffset now) => action switch
    {
        SendMessage send => Message(send.MessageId, send.StepId, ChannelOf(send.Channel), flowId, contactId, now) with { ContentId = send.ContentId, To = send.To },
        CreateActivity activity => Message(activity.MessageId, activity.StepId, MessageChannel.Crm, flowId, contactId, now) with { Subject = activity.Title, Payload = activity.Kind.ToString() },
        CallWebhook webhook => Message(webhook.MessageId, webhook.StepId, MessageChannel.Webhook, flowId, contactId, now) with { To = webhook.Url, Subject = webhook.Method, Payload = webhook.Body },
        _ => null,
    };

    private static OutboxMessage Message(string id, string stepId, MessageChannel channel, string flowId, string contactId, DateTimeOffset now) =>
        new() { Id = id, Channel = channel, FlowId = flowId, StepId = stepId, ContactId = contactId, CreatedAt = now };

    private static MessageChannel ChannelOf(Channel channel) => channel switch
    {
        Channel.Email => MessageChannel.Email,
        Channel.Sms => MessageChannel.Sms,
        _ => MessageChannel.Push,
    };
}
