using Orleans.Flows.Contacts;
using Orleans.Flows.Content;

namespace Orleans.Flows.Delivery;

// Placeholder until the compose branch lands.
public sealed class MessageComposer
{
    public OutboxMessage Compose(OutboxMessage message, Contact contact, ContentItem? content) =>
        message with { Subject = content?.Subject ?? message.Subject, Html = content?.Html, Text = content?.Text ?? content?.Body };
}
