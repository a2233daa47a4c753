namespace Orleans.Flows.Delivery;

/// <summary>
/// An HTTP gateway a channel posts its messages to: <c>Sms:WebhookUrl</c> and <c>Sms:Authorization</c>, the same
/// under <c>Push</c> and <c>Crm</c>. One type, bound once per section as named options (the name is the section:
/// <see cref="Sms"/>, <see cref="Push"/>, <see cref="Crm"/>); read one with
/// <c>IOptionsMonitor&lt;GatewayOptions&gt;.Get(GatewayOptions.Sms)</c>.
/// </summary>
/// <remarks>
/// Without a url the gateway is not configured: <see cref="HttpGatewayChannel"/> does not claim its channel and the
/// engine records the messages instead. A url that is set but not an absolute http or https url stops the host at
/// start rather than dropping to recording unnoticed.
/// </remarks>
public sealed class GatewayOptions
{
    public const string Sms = "Sms";
    public const string Push = "Push";
    public const string Crm = "Crm";

    /// <summary>The sections, one per gateway.</summary>
    public static readonly IReadOnlyList<string> Sections = [Sms, Push, Crm];

    /// <summary>Where messages are posted: an absolute http or https url. Default: none (recorded only).</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>
    /// Sent as is as the <c>Authorization</c> header (<c>Bearer …</c>, <c>Basic …</c>). A secret: never logged.
    /// Default: none (no header).
    /// </summary>
    public string? Authorization { get; set; }

    /// <summary>Whether <see cref="WebhookUrl"/> is an absolute http or https url.</summary>
    public bool IsConfigured => Endpoint is not null;

    /// <summary><see cref="WebhookUrl"/> parsed; null when it is not configured or not an absolute http or https url.</summary>
    public Uri? Endpoint =>
        Uri.TryCreate(WebhookUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : null;

    /// <summary>The section of a gateway channel; null for email and webhooks, which have no gateway.</summary>
    public static string? SectionOf(MessageChannel channel) => channel switch
    {
        MessageChannel.Sms => Sms,
        MessageChannel.Push => Push,
        MessageChannel.Crm => Crm,
        _ => null,
    };
}
