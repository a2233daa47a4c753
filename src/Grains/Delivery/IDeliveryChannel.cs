namespace Orleans.Flows.Delivery;

/// <summary>
/// Sends one rendered message through a provider: SMTP, an SMS or push gateway, a CRM or a webhook. A channel
/// sends once per call and says what happened; retries, rates and the message log belong to the dispatcher.
/// </summary>
public interface IDeliveryChannel
{
    /// <summary>The message channels this one sends.</summary>
    bool Handles(MessageChannel channel);

    Task<SendOutcome> SendAsync(OutboxMessage message, CancellationToken cancellationToken);
}

public enum SendResult
{
    /// <summary>The provider took the message.</summary>
    Sent,
    /// <summary>The provider surely did not take it and may later (connection refused, 4xx, 5xx of a gateway, timeout before sending): safe to try again.</summary>
    Transient,
    /// <summary>The provider refused it for good (5xx of SMTP, 4xx of a gateway, a host not allowed): never tried again.</summary>
    Failed,
    /// <summary>
    /// The connection broke after the message was handed over and before the provider answered: it may have been
    /// taken. Never tried again (no duplicate); recorded as failed with <c>unknown_outcome</c>. SMTP answers this;
    /// the HTTP channels answer <see cref="Transient"/> instead, since their <c>Idempotency-Key</c> lets the
    /// receiver drop a repeat.
    /// </summary>
    Unknown,
}

/// <param name="Error">Short and without addresses or keys: e.g. <c>smtp 550 5.1.1 mailbox unavailable</c>, <c>http 503</c>, <c>host not allowed</c>.</param>
public sealed record SendOutcome(SendResult Result, string? Error = null)
{
    public static readonly SendOutcome Sent = new(SendResult.Sent);

    public static SendOutcome Transient(string error) => new(SendResult.Transient, error);

    public static SendOutcome Failed(string error) => new(SendResult.Failed, error);

    public static SendOutcome Unknown(string error) => new(SendResult.Unknown, error);
}
