namespace Orleans.Flows.Delivery;

/// <summary><c>Tracking:*</c>: where tracked links and unsubscribe pages are served, and the key that signs their tokens.</summary>
public sealed class TrackingOptions
{
    public const string Section = "Tracking";

    /// <summary>
    /// The public base address of <c>/t/o/…</c>, <c>/t/c/…</c> and <c>/u/…</c>, e.g. <c>https://flows.example.com</c>;
    /// a trailing slash is ignored. No default: the host sets one (in development, its own address).
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>
    /// The HMAC-SHA256 key of tracking and unsubscribe tokens: at least 16 bytes as UTF-8, the same on every silo. No
    /// default: the host generates one in development and refuses to start without one elsewhere. Changing it makes
    /// every link already sent answer 404.
    /// </summary>
    public string? SigningKey { get; set; }
}
