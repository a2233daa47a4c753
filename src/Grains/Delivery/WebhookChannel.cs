using System.Net.Mime;
using System.Text;
using Microsoft.Extensions.Logging;
using Orleans.Flows.Telemetry;
using Microsoft.Extensions.Options;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Delivery;

/// <summary>
/// Calls the url of a <c>webhook</c> step: <see cref="OutboxMessage.To"/> with <see cref="OutboxMessage.Method"/>
/// (GET, POST, PUT, PATCH or DELETE) and, except for GET, <see cref="OutboxMessage.Payload"/> as the body.
/// </summary>
/// <remarks>
/// <para>
/// The body goes as <c>application/json; charset=utf-8</c> when it parses as JSON, else as <c>text/plain; charset=utf-8</c>;
/// a step without a body sends none. Every call carries <c>Idempotency-Key: &lt;message id&gt;</c>, the same on every
/// attempt. 2xx is taken; 408, 429 and 5xx are tried again later; any other status, redirects included, fails for good.
/// </para>
/// <para>
/// The url is checked again here, since <c>Webhooks:AllowedHosts</c> may have changed since the flow was saved: it
/// must be an absolute http or https url whose host the list allows, else the message fails with no request made.
/// Redirects are not followed, so a call never goes on to a host the list does not name.
/// </para>
/// </remarks>
public sealed partial class WebhookChannel(
    IHttpClientFactory clients,
    IOptions<WebhookOptions> webhooks,
    ILogger<WebhookChannel> logger) : IDeliveryChannel
{
    private static readonly HashSet<string> Methods = new(["GET", "POST", "PUT", "PATCH", "DELETE"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Null allows any host.</summary>
    private readonly IReadOnlySet<string>? _allowedHosts = webhooks.Value.AllowedHostSet;

    public bool Handles(MessageChannel channel) => channel == MessageChannel.Webhook;

    public async Task<SendOutcome> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        // The url is not part of any error or log line: its path or query may hold a key.
        if (!Uri.TryCreate(message.To, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            return Done(message, SendOutcome.Failed("invalid url"));
        if (_allowedHosts is { } allowed && !allowed.Contains(url.Host))
        {
            LogWarningHostNotAllowed(message.Id, message.FlowId, message.StepId, url.Host);
            return Done(message, SendOutcome.Failed($"host not allowed: {url.Host}"));
        }
        if (message.Method is not { } method || !Methods.Contains(method))
            return Done(message, SendOutcome.Failed("method not allowed: " + (message.Method ?? "none")));

        using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url);
        if (request.Method != HttpMethod.Get && message.Payload is { } body)
        {
            var mediaType = HttpChannels.IsJson(body) ? MediaTypeNames.Application.Json : MediaTypeNames.Text.Plain;
            request.Content = new StringContent(body, Encoding.UTF8, mediaType);
        }
        request.Headers.TryAddWithoutValidation(HttpChannels.IdempotencyKeyHeader, message.Id);

        var client = clients.CreateClient(HttpChannels.WebhookClient);
        return Done(message, await HttpChannels.SendOnceAsync(client, request, cancellationToken));
    }

    private SendOutcome Done(OutboxMessage message, SendOutcome outcome)
    {
        LogDebugCalled(message.Id, message.FlowId, message.StepId, outcome.Result, SensitiveText.Mask(outcome.Error));
        return outcome;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook message {MessageId} of flow {FlowId} step {StepId}: {Result} {Error}")]
    private partial void LogDebugCalled(string messageId, string flowId, string stepId, SendResult result, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook message {MessageId} of flow {FlowId} step {StepId} not sent: host {Host} is not in Webhooks:AllowedHosts")]
    private partial void LogWarningHostNotAllowed(string messageId, string flowId, string stepId, string host);
}
