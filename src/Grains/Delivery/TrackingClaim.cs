namespace Orleans.Flows.Delivery;

/// <summary>What a tracked link stands for: an open pixel, a click on a link, or an unsubscribe link.</summary>
public enum TrackingKind { Open, Click, Unsubscribe }

/// <summary>What a tracking or unsubscribe token says, signed by <see cref="TrackingTokens"/>.</summary>
/// <param name="Url">The original url of a clicked link; clicks have one, opens and unsubscribes none.</param>
public sealed record TrackingClaim(TrackingKind Kind, string MessageId, string ContactId, string FlowId, string StepId, string? Url = null)
{
    /// <summary>The claim of <paramref name="kind"/> about a message, for its contact, flow and step.</summary>
    public static TrackingClaim For(OutboxMessage message, TrackingKind kind, string? url = null) =>
        new(kind, message.Id, message.ContactId, message.FlowId, message.StepId, url);
}
