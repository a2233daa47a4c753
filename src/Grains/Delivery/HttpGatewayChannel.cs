using System.Net.Mime;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orleans.Flows.Telemetry;
using Microsoft.Extensions.Options;

namespace Orleans.Flows.Delivery;

/// <summary>
/// Sends SMS, push notifications and CRM activities to the HTTP gateways of <see cref="GatewayOptions"/>: one
/// <c>POST</c> of JSON per message to the channel's <c>WebhookUrl</c>. A channel whose gateway has no url is not
/// handled here, so the engine records its messages instead.
/// </summary>
/// <remarks>
/// <para>What a gateway receives (its contract):</para>
/// <list type="bullet">
/// <item><c>POST {Sms:WebhookUrl}</c> with <see cref="SmsRequest"/>:
/// <c>{"messageId":"…","to":"+4915112345678","text":"…","contactId":"…","flowId":"…","stepId":"…"}</c></item>
/// <item><c>POST {Push:WebhookUrl}</c> with <see cref="PushRequest"/>:
/// <c>{"messageId":"…","to":"&lt;device token&gt;","title":"…","body":"…","url":"https://…","contactId":"…","flowId":"…","stepId":"…"}</c>;
/// <c>title</c>, <c>body</c> and <c>url</c> may be null.</item>
/// <item><c>POST {Crm:WebhookUrl}</c> with the activity JSON of the message (<see cref="OutboxMessage.Payload"/>)
/// as it is.</item>
/// </list>
/// <para>
/// Headers: <c>Content-Type: application/json; charset=utf-8</c>; <c>Idempotency-Key: &lt;messageId&gt;</c>, the same
/// on every attempt of a message, so a gateway drops repeats by it; <c>Authorization: &lt;{Section}:Authorization&gt;</c>
/// as configured, when it is. The answer: 2xx taken; 408, 429, 5xx tried again later; any other status refused for good.
/// </para>
/// </remarks>
public sealed partial class HttpGatewayChannel(
    IHttpClientFactory clients,
    IOptionsMonitor<GatewayOptions> gateways,
    ILogger<HttpGatewayChannel> logger) : IDeliveryChannel
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The body of an SMS sent through the <c>Sms</c> gateway.</summary>
    /// <param name="To">The phone number, as stored on the contact.</param>
    public sealed record SmsRequest(string MessageId, string To, string Text, string ContactId, string FlowId, string StepId);

    /// <summary>The body of a push notification sent through the <c>Push</c> gateway.</summary>
    /// <param name="To">The device token.</param>
    /// <param name="Url">Opened when the notification is tapped.</param>
    public sealed record PushRequest(string MessageId, string To, string? Title, string? Body, string? Url, string ContactId, string FlowId, string StepId);

    public bool Handles(MessageChannel channel) => GatewayOf(channel)?.IsConfigured == true;

    public async Task<SendOutcome> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        if (GatewayOf(message.Channel) is not { Endpoint: { } endpoint } gateway)
            return SendOutcome.Failed($"no gateway configured for {message.Channel}");
        var (body, error) = BodyOf(message);
        if (body is null) return Done(message, SendOutcome.Failed(error!));

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(body, Encoding.UTF8, MediaTypeNames.Application.Json),
        };
        request.Headers.TryAddWithoutValidation(HttpChannels.IdempotencyKeyHeader, message.Id);
        if (!string.IsNullOrEmpty(gateway.Authorization)) request.Headers.TryAddWithoutValidation("Authorization", gateway.Authorization);

        var client = clients.CreateClient(HttpChannels.GatewayClient);
        return Done(message, await HttpChannels.SendOnceAsync(client, request, cancellationToken));
    }

    /// <summary>The JSON a gateway receives for <paramref name="message"/>, or why there is none.</summary>
    internal static (string? Body, string? Error) BodyOf(OutboxMessage message) => message.Channel switch
    {
        MessageChannel.Sms when string.IsNullOrWhiteSpace(message.To) => (null, "sms without a phone number"),
        MessageChannel.Sms => (JsonSerializer.Serialize(
            new SmsRequest(message.Id, message.To, message.Text ?? "", message.ContactId, message.FlowId, message.StepId), Json), null),
        MessageChannel.Push when string.IsNullOrWhiteSpace(message.To) => (null, "push without a device token"),
        MessageChannel.Push => (JsonSerializer.Serialize(
            new PushRequest(message.Id, message.To, message.Subject, message.Text, message.Url, message.ContactId, message.FlowId, message.StepId), Json), null),
        MessageChannel.Crm when !HttpChannels.IsJson(message.Payload) => (null, "crm activity is not JSON"),
        MessageChannel.Crm => (message.Payload, null),
        _ => (null, $"no gateway for {message.Channel}"),
    };

    private GatewayOptions? GatewayOf(MessageChannel channel) =>
        GatewayOptions.SectionOf(channel) is { } section ? gateways.Get(section) : null;

    private SendOutcome Done(OutboxMessage message, SendOutcome outcome)
    {
        // Ids and the outcome only: never the phone number, the token or the Authorization value.
        LogDebugSent(message.Channel, message.Id, message.FlowId, message.StepId, outcome.Result, SensitiveText.Mask(outcome.Error));
        return outcome;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Channel} message {MessageId} of flow {FlowId} step {StepId} to its gateway: {Result} {Error}")]
    private partial void LogDebugSent(MessageChannel channel, string messageId, string flowId, string stepId, SendResult result, string? error);
}
