namespace Orleans.Flows.Delivery;

public enum MessageChannel { Email, Sms, Push, Crm, Webhook }

/// <summary>
/// A message a step produced. Its id is derived from participant, step and visit, so however often a step is
/// replayed the message is recorded once.
/// </summary>
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
    [Id(7)] public string? Subject { get; init; }
    /// <summary>Activity title, webhook method and body.</summary>
    [Id(8)] public string? Payload { get; init; }
    [Id(9)] public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>What the outbox says of a message it took: <c>queued</c>, <c>sent</c> or <c>failed</c>.</summary>
[GenerateSerializer, Immutable, Alias("flows.DeliveryReceipt")]
public sealed record DeliveryReceipt(
    [property: Id(0)] string MessageId,
    [property: Id(1)] string Status,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] bool Duplicate = false);
