namespace Orleans.Flows.Delivery;

/// <summary>How messages are dispatched (<c>Delivery:*</c>).</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    /// <summary>
    /// Per-channel send rate across the cluster (<c>Delivery:RatePerSecond:Email</c>, <c>Sms</c>, <c>Push</c>, and
    /// also <c>Crm</c>, <c>Webhook</c>); a channel without one is unlimited.
    /// </summary>
    public Dictionary<string, double> RatePerSecond { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Attempts before a message that keeps failing for a passing reason is given up as failed. Default 10.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Messages one dispatcher claims at a time per channel. Default 200.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>Messages one silo sends at once per channel. Default 64.</summary>
    public int Parallelism { get; set; } = 64;

    /// <summary>How often an idle dispatcher looks for messages queued on other silos. Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a claim holds a message from other dispatchers. Default 2 min.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Quick retries of a passing failure within one attempt, before the message is put back. Default 2.</summary>
    public int QuickRetries { get; set; } = 2;

    /// <summary>The first delay between quick retries (doubling each time). Default 200 ms.</summary>
    public TimeSpan QuickRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public double? RateFor(MessageChannel channel) =>
        RatePerSecond.TryGetValue(channel.ToString(), out var rate) && rate > 0 ? rate : null;

    /// <summary>When a message put back after <paramref name="attempts"/> attempts is tried again: 2, 4, 8 … s, at most 5 min.</summary>
    public static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, Math.Clamp(attempts, 1, 9))));
}
