using System.Collections.Concurrent;
using Orleans.Flows.Contacts;
using Orleans.Flows.Content;

namespace Orleans.Flows.Delivery;

/// <summary>
/// Turns what a step produced into the message that goes out: fetches its content (kept per silo for
/// <see cref="ContentLifetime"/>, since thousands of participants send the same content at once) and renders it
/// for the contact with <see cref="MessageComposer"/>.
/// </summary>
public sealed class OutgoingMessages(IGrainFactory grains, MessageComposer composer, TimeProvider time)
{
    /// <summary>How long a silo uses content it fetched before it asks again: an edit reaches sends within this.</summary>
    public static readonly TimeSpan ContentLifetime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (ContentItem? Item, DateTimeOffset FetchedAt)> _content = new(StringComparer.Ordinal);

    /// <summary>
    /// The rendered message, or the message as it came with why it cannot go: its content no longer exists
    /// (skipped), or a template fails for this contact (failed). Either is recorded, never sent.
    /// </summary>
    public async Task<(OutboxMessage Message, MessageFailure? Failure)> RenderAsync(OutboxMessage message, Contact contact)
    {
        ContentItem? content = null;
        if (message.ContentId is { } contentId && (content = await ContentAsync(contentId)) is null)
            return (message, new MessageFailure(MessageStatus.Skipped, DeliveryErrors.ContentNotFound));
        try
        {
            return (composer.Compose(message, contact, content), null);
        }
        catch (MessageCompositionException e)
        {
            return (message, new MessageFailure(MessageStatus.Failed, "template_error: " + e.Message));
        }
    }

    private async Task<ContentItem?> ContentAsync(string contentId)
    {
        var now = time.GetUtcNow();
        if (_content.TryGetValue(contentId, out var cached) && now - cached.FetchedAt < ContentLifetime) return cached.Item;
        var item = await grains.GetGrain<IContentGrain>(contentId).GetAsync();
        _content[contentId] = (item, now);
        return item;
    }
}
