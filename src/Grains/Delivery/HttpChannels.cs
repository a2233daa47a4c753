using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Delivery;

/// <summary>
/// The channels that deliver over HTTP: <see cref="HttpGatewayChannel"/> (SMS, push and CRM gateways) and
/// <see cref="WebhookChannel"/>, with what they share: their clients, one attempt per send and how an answer is judged.
/// </summary>
public static class HttpChannels
{
    /// <summary>The named <see cref="HttpClient"/> of the SMS, push and CRM gateways.</summary>
    public const string GatewayClient = "flows.delivery.gateway";

    /// <summary>The named <see cref="HttpClient"/> of webhook steps.</summary>
    public const string WebhookClient = "flows.delivery.webhook";

    /// <summary>The header that carries the message id, so that a receiver can drop a repeat.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>How long one attempt may take, from connecting to the response's headers.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Binds <see cref="GatewayOptions"/> once per gateway (<c>Sms</c>, <c>Push</c>, <c>Crm</c>, as named options),
    /// adds the two named clients and registers the channels as <see cref="IDeliveryChannel"/> singletons:
    /// <see cref="HttpGatewayChannel"/> when at least one gateway has a <c>WebhookUrl</c>, and
    /// <see cref="WebhookChannel"/> always.
    /// </summary>
    /// <remarks>
    /// <see cref="WebhookChannel"/> reads <see cref="WebhookOptions"/> as the engine registers them
    /// (<c>AddFlowsEngine</c>); without that registration no host is allowed. A gateway url that is set but not an
    /// absolute http or https url fails the host's start.
    /// </remarks>
    public static void Register(IServiceCollection services, IConfiguration configuration)
    {
        var anyGateway = false;
        foreach (var name in GatewayOptions.Sections)
        {
            var section = configuration.GetSection(name);
            services.AddOptions<GatewayOptions>(name)
                .Bind(section)
                .Validate(o => string.IsNullOrWhiteSpace(o.WebhookUrl) || o.IsConfigured, $"{name}:WebhookUrl must be an absolute http or https url")
                .ValidateOnStart();
            anyGateway |= section.Get<GatewayOptions>()?.IsConfigured == true;
        }

        AddClient(services, GatewayClient);
        AddClient(services, WebhookClient);
        if (anyGateway) services.AddSingleton<IDeliveryChannel, HttpGatewayChannel>();
        services.AddSingleton<IDeliveryChannel, WebhookChannel>();
    }

    /// <summary>
    /// A client with <see cref="Timeout"/> that follows no redirect (a webhook must not be sent on to a host the
    /// allowed list does not name; a gateway that redirects is misconfigured) and keeps no cookies. No retry handler:
    /// the dispatcher retries.
    /// </summary>
    private static void AddClient(IServiceCollection services, string name) =>
        services.AddHttpClient(name, client => client.Timeout = Timeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

    /// <summary>Sends <paramref name="request"/> once and judges the answer; never throws for the network or the receiver.</summary>
    /// <remarks>
    /// Anything that goes wrong on the way is <see cref="SendResult.Transient"/>, even when the request may already
    /// have reached the receiver (the connection reset or the time ran out after the request was written) and so
    /// might have been acted on. That is on purpose, unlike SMTP's <see cref="SendResult.Unknown"/>: every request
    /// carries <see cref="IdempotencyKeyHeader"/> with the message id, so a receiver that took the first attempt drops
    /// the repeat, whereas not retrying would lose the message whenever a reply is lost. <see cref="HttpClient"/> also
    /// does not say reliably whether the request had been written when an <see cref="IOException"/> struck.
    /// </remarks>
    internal static async Task<SendOutcome> SendOnceAsync(HttpClient client, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            // Only the status matters: the body is never read.
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return OutcomeOf(response.StatusCode);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout; a cancellation of the caller goes on up.
            return SendOutcome.Transient("timeout");
        }
        catch (HttpRequestException e)
        {
            return OutcomeOf(e);
        }
    }

    /// <summary>2xx sent; 408, 429 and 5xx transient; any other status (3xx not followed, 4xx) failed for good.</summary>
    internal static SendOutcome OutcomeOf(HttpStatusCode status) => (int)status switch
    {
        >= 200 and < 300 => SendOutcome.Sent,
        408 or 429 or >= 500 => SendOutcome.Transient($"http {(int)status}"),
        >= 300 and < 400 => SendOutcome.Failed($"http {(int)status} redirect not followed"),
        var code => SendOutcome.Failed($"http {code}"),
    };

    /// <summary>A network failure, named without the address (the exception's message has host and port).</summary>
    internal static SendOutcome OutcomeOf(HttpRequestException exception) => SendOutcome.Transient(
        exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } ? "connection refused"
        : exception.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "name not resolved",
            HttpRequestError.ConnectionError => "connection error",
            HttpRequestError.SecureConnectionError => "tls error",
            HttpRequestError.ResponseEnded => "connection closed before the response",
            HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError => "invalid response",
            _ => "request error",
        });

    /// <summary>Whether <paramref name="text"/> is one JSON value.</summary>
    internal static bool IsJson(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return false;
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
