using Orleans.Flows.Contacts;
using Orleans.Flows.Statistics;

namespace Orleans.Flows.Delivery;

/// <summary>
/// What the delivery and engagement events of a contact mean for its consent, its messages and the flow's
/// statistics. Pure: the contact grain applies it when it records the events.
/// </summary>
public static class DeliveryReports
{
    public const string Unsubscribed = "unsubscribed";
    public const string EmailDelivered = "email.delivered";
    public const string EmailBounced = "email.bounced";
    public const string EmailComplained = "email.complained";
    public const string EmailOpened = "email.opened";
    public const string LinkClicked = "link.clicked";

    /// <summary>
    /// An unsubscribe (from email, or without a channel), a hard bounce or a complaint withdraws the email consent,
    /// so the re-check before the next send skips the address.
    /// </summary>
    public static bool WithdrawsEmailConsent(ContactEvent e) => e.Type switch
    {
        Unsubscribed => Property(e, "channel") is null or "email",
        EmailBounced => string.Equals(Property(e, "kind"), "hard", StringComparison.OrdinalIgnoreCase),
        EmailComplained => true,
        _ => false,
    };

    /// <summary>The message the event reports on (<c>properties.messageId</c>), if any.</summary>
    public static string? MessageId(ContactEvent e) => Property(e, "messageId");

    /// <summary>The status a delivery report gives its message and why; null for events that do not change it.</summary>
    public static (string Status, string? Error)? MessageStatusFor(ContactEvent e) => e.Type switch
    {
        EmailDelivered => (MessageStatus.Delivered, null),
        EmailBounced => (MessageStatus.Bounced, $"{(Property(e, "kind") ?? "unknown").ToLowerInvariant()} bounce" + (Property(e, "reason") is { } reason ? ": " + reason : "")),
        _ => null,
    };

    /// <summary>What the event adds to its flow's send statistics; null when nothing.</summary>
    public static SendStats? StatsFor(ContactEvent e) => e.Type switch
    {
        EmailDelivered => new SendStats { Delivered = 1 },
        EmailBounced => new SendStats { Failed = 1 },
        EmailOpened => new SendStats { Opened = 1 },
        LinkClicked => new SendStats { Clicked = 1 },
        _ => null,
    };

    private static string? Property(ContactEvent e, string name) => e.Properties.TryGetValue(name, out var value) ? value.AsText() : null;
}
