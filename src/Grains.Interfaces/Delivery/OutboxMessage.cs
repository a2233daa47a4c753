using System.Collections.Immutable;

namespace Orleans.Flows.Delivery;

public enum MessageChannel { Email, Sms, Push, Crm, Webhook }

/// <summary>
/// A message a step produced, rendered and ready to go: the dispatcher sends exactly this. Its id is derived from
/// participant, step and visit, so however often a step is replayed the message is recorded once.
/// </summary>
/// <remarks>
/// What each channel uses: email <see cref="To"/>, <see cref="From"/>, <see cref="Subject"/>, <see cref="Html"/>,
/// <see cref="Text"/>, <see cref="UnsubscribeUrl"/>; SMS <see cref="To"/> (phone) and <see cref="Text"/>; push
/// <see cref="To"/> (token), <see cref="Subject"/> (title), <see cref="Text"/> (body), <see cref="Url"/>; CRM
/// <see cref="Payload"/> (the activity as JSON); webhook <see cref="To"/> (url), <see cref="Method"/> and
/// <see cref="Payload"/> (the rendered body).
/// </remarks>
[GenerateSerializer, Immutable, Alias("flows.OutboxMessage")]
public sealed record OutboxMessage
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required MessageChannel Channel { get; init; }
    [Id(2)] public required string FlowId { get; init; }
    [Id(3)] public required string StepId { get; init; }
    [Id(4)] public required string ContactId { get; init; }
    [Id(5)] public string? ContentId { get; init; }
    /// <summary>Address, phone number, push token or url.</summary>
    [Id(6)] public string? To { get; init; }
    /// <summary>Email subject, push title, activity title.</summary>
    [Id(7)] public string? Subject { get; init; }
    /// <summary>Activity JSON (CRM) or the rendered request body (webhook).</summary>
    [Id(8)] public string? Payload { get; init; }
    [Id(9)] public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Email sender, <c>Name &lt;address&gt;</c> or an address; null takes <c>Smtp:From</c>.</summary>
    [Id(10)] public string? From { get; init; }
    /// <summary>The email's html as sent: personalised, links tracked, open pixel and unsubscribe link in.</summary>
    [Id(11)] public string? Html { get; init; }
    /// <summary>Email plain text, SMS text or push body.</summary>
    [Id(12)] public string? Text { get; init; }
    /// <summary>The signed unsubscribe url for <c>List-Unsubscribe</c> (email only).</summary>
    [Id(13)] public string? UnsubscribeUrl { get; init; }
    /// <summary>Webhook method (GET, POST, …).</summary>
    [Id(14)] public string? Method { get; init; }
    /// <summary>Push target url.</summary>
    [Id(15)] public string? Url { get; init; }
}

/// <summary>What the outbox says of a message it took: <c>queued</c>, <c>sent</c> or <c>failed</c>.</summary>
[GenerateSerializer, Immutable, Alias("flows.DeliveryReceipt")]
public sealed record DeliveryReceipt(
    [property: Id(0)] string MessageId,
    [property: Id(1)] string Status,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] bool Duplicate = false);

/// <summary>The statuses of a message in the message log.</summary>
public static class MessageStatus
{
    public const string Queued = "queued";
    public const string Sent = "sent";
    public const string Delivered = "delivered";
    public const string Bounced = "bounced";
    public const string Failed = "failed";
    public const string Skipped = "skipped";

    public static readonly ImmutableArray<string> All = [Queued, Sent, Delivered, Bounced, Failed, Skipped];
}

/// <summary>A message and what became of it: one row of the message log.</summary>
[GenerateSerializer, Immutable, Alias("flows.MessageRecord")]
public sealed record MessageRecord
{
    [Id(0)] public required OutboxMessage Message { get; init; }
    [Id(1)] public required string Status { get; init; }
    /// <summary>Send attempts so far, over every dispatcher.</summary>
    [Id(2)] public int Attempts { get; init; }
    /// <summary>Why it failed, bounced or is being retried.</summary>
    [Id(3)] public string? Error { get; init; }
    [Id(4)] public DateTimeOffset? SentAt { get; init; }
    [Id(5)] public DateTimeOffset UpdatedAt { get; init; }
}

[GenerateSerializer, Immutable, Alias("flows.MessageQuery")]
public sealed record MessageQuery
{
    [Id(0)] public string? FlowId { get; init; }
    [Id(1)] public string? ContactId { get; init; }
    [Id(2)] public string? Status { get; init; }
    /// <summary>The last id of the previous page: pages go by id.</summary>
    [Id(3)] public string? After { get; init; }
    [Id(4)] public int Limit { get; init; } = 50;
}

[GenerateSerializer, Immutable, Alias("flows.MessagePage")]
public sealed record MessagePage(
    [property: Id(0)] ImmutableArray<MessageRecord> Items,
    [property: Id(1)] string? NextAfter);
