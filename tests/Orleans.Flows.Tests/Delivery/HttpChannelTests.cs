using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Orleans.Flows.Delivery;
using Orleans.Flows.Flows;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Delivery;

/// <summary>
/// The HTTP channels against a real receiver: what SMS, push and CRM gateways and webhook urls get, and how their
/// answers and failures are judged. The channels are built as the host builds them, through <see cref="HttpChannels.Register"/>.
/// </summary>
public sealed class HttpChannelTests : IAsyncLifetime
{
    private const string SmsAuthorization = "Bearer sms-secret";
    private const string PushAuthorization = "Basic cHVzaDpzZWNyZXQ=";
    private const string CrmAuthorization = "Bearer crm-secret";

    private readonly List<ServiceProvider> _providers = [];
    private RecordingReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await RecordingReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers) await provider.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task SmsGatewayReceivesTextWithAuthorizationAndIdempotencyKey()
    {
        var message = Message(MessageChannel.Sms) with { To = "+4915112345678", Text = "Your code is 1234" };

        var outcome = await Channel(MessageChannel.Sms).SendAsync(message, CancellationToken.None);

        Assert.Equal(SendOutcome.Sent, outcome);
        var request = Assert.Single(_receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/sms", request.Path);
        Assert.Equal("application/json; charset=utf-8", request.ContentType);
        Assert.Equal(SmsAuthorization, request.Header("Authorization"));
        Assert.Equal(message.Id, request.Header("Idempotency-Key"));
        AssertJson(request.Body, new()
        {
            ["messageId"] = message.Id, ["to"] = "+4915112345678", ["text"] = "Your code is 1234",
            ["contactId"] = message.ContactId, ["flowId"] = message.FlowId, ["stepId"] = message.StepId,
        });
    }

    [Fact]
    public async Task PushGatewayReceivesTitleBodyAndUrl()
    {
        var message = Message(MessageChannel.Push) with { To = "device-token-1", Subject = "Sale", Text = "20% off today", Url = "https://shop.example.com/sale" };

        var outcome = await Channel(MessageChannel.Push).SendAsync(message, CancellationToken.None);

        Assert.Equal(SendOutcome.Sent, outcome);
        var request = Assert.Single(_receiver.Requests);
        Assert.Equal(("POST", "/push"), (request.Method, request.Path));
        Assert.Equal(PushAuthorization, request.Header("Authorization"));
        Assert.Equal(message.Id, request.Header("Idempotency-Key"));
        AssertJson(request.Body, new()
        {
            ["messageId"] = message.Id, ["to"] = "device-token-1", ["title"] = "Sale", ["body"] = "20% off today",
            ["url"] = "https://shop.example.com/sale", ["contactId"] = message.ContactId, ["flowId"] = message.FlowId, ["stepId"] = message.StepId,
        });
    }

    [Fact]
    public async Task CrmGatewayReceivesActivityJsonAsIs()
    {
        const string activity = """{"kind":"task","title":"Call back","contactId":"c-1","properties":{"plan":"pro"}}""";
        var message = Message(MessageChannel.Crm) with { Payload = activity };

        var outcome = await Channel(MessageChannel.Crm).SendAsync(message, CancellationToken.None);

        Assert.Equal(SendOutcome.Sent, outcome);
        var request = Assert.Single(_receiver.Requests);
        Assert.Equal(("POST", "/crm"), (request.Method, request.Path));
        Assert.Equal("application/json; charset=utf-8", request.ContentType);
        Assert.Equal(CrmAuthorization, request.Header("Authorization"));
        Assert.Equal(message.Id, request.Header("Idempotency-Key"));
        Assert.Equal(activity, request.Body);
    }

    [Fact]
    public async Task GatewayWithoutAuthorizationSendsNoAuthorizationHeader()
    {
        var channels = Channels(new() { ["Sms:WebhookUrl"] = _receiver.Url("sms").ToString() });

        var outcome = await Pick(channels, MessageChannel.Sms).SendAsync(Message(MessageChannel.Sms) with { To = "+4915112345678", Text = "hi" }, CancellationToken.None);

        Assert.Equal(SendOutcome.Sent, outcome);
        Assert.Null(Assert.Single(_receiver.Requests).Header("Authorization"));
    }

    [Fact]
    public void GatewayWithoutUrlIsNotHandled()
    {
        var smsOnly = Channels(new() { ["Sms:WebhookUrl"] = _receiver.Url("sms").ToString() });
        Assert.Contains(smsOnly, c => c.Handles(MessageChannel.Sms));
        Assert.DoesNotContain(smsOnly, c => c.Handles(MessageChannel.Push) || c.Handles(MessageChannel.Crm) || c.Handles(MessageChannel.Email));

        var none = Channels([]);
        Assert.DoesNotContain(none, c => c is HttpGatewayChannel);
        Assert.Contains(none, c => c is WebhookChannel && c.Handles(MessageChannel.Webhook));
    }

    [Fact]
    public void GatewayUrlThatIsNotHttpIsRejected()
    {
        var services = Services(new() { ["Sms:WebhookUrl"] = "ftp://gateway.example.com/sms" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<GatewayOptions>>().Get(GatewayOptions.Sms));
        Assert.Contains("Sms:WebhookUrl", error.Message);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task WebhookCallArrivesWithMethodAndJsonBody(string method)
    {
        var message = Webhook(_receiver.Url("hooks/order?source=flow"), method, """{"contact":"c-1","score":42}""");

        var outcome = await Channel(MessageChannel.Webhook).SendAsync(message, CancellationToken.None);

        Assert.Equal(SendOutcome.Sent, outcome);
        var request = Assert.Single(_receiver.Requests);
        Assert.Equal((method, "/hooks/order?source=flow"), (request.Method, request.Path));
        Assert.Equal("application/json; charset=utf-8", request.ContentType);
        Assert.Equal("""{"contact":"c-1","score":42}""", request.Body);
        Assert.Equal(message.Id, request.Header("Idempotency-Key"));
        Assert.Null(request.Header("Authorization"));
    }

    [Fact]
    public async Task WebhookBodyThatIsNotJsonGoesAsPlainText()
    {
        var outcome = await Channel(MessageChannel.Webhook).SendAsync(Webhook(_receiver.Url("hooks/text"), "POST", "contact c-1 reached step 3"), CancellationToken.None);

        Assert.Equal(SendOutcome.Sent, outcome);
        var request = Assert.Single(_receiver.Requests);
        Assert.Equal("text/plain; charset=utf-8", request.ContentType);
        Assert.Equal("contact c-1 reached step 3", request.Body);
    }

    [Fact]
    public async Task WebhookGetSendsNoBody()
    {
        var message = Webhook(_receiver.Url("hooks/ping"), "GET", """{"ignored":true}""");

        var outcome = await Channel(MessageChannel.Webhook).SendAsync(message, CancellationToken.None);

        Assert.Equal(SendOutcome.Sent, outcome);
        var request = Assert.Single(_receiver.Requests);
        Assert.Equal(("GET", ""), (request.Method, request.Body));
        Assert.Null(request.ContentType);
        Assert.Equal(message.Id, request.Header("Idempotency-Key"));
    }

    [Fact]
    public async Task WebhookToHostNotInAllowedListIsRefusedWithoutRequest()
    {
        var channel = Pick(Channels([], allowedHosts: ["hooks.example.com"]), MessageChannel.Webhook);

        var outcome = await channel.SendAsync(Webhook(_receiver.Url("hooks/order"), "POST", "{}"), CancellationToken.None);

        Assert.Equal(SendOutcome.Failed("host not allowed: 127.0.0.1"), outcome);
        Assert.Empty(_receiver.Requests);
    }

    [Fact]
    public async Task WebhookWithoutAllowedListInProductionIsRefused()
    {
        // Webhooks:AllowedHosts unset outside development: no host at all.
        var channel = Pick(Channels([], allowedHosts: null, allowAnyWhenUnset: false), MessageChannel.Webhook);

        var outcome = await channel.SendAsync(Webhook(_receiver.Url("hooks/order"), "POST", "{}"), CancellationToken.None);

        Assert.Equal(SendResult.Failed, outcome.Result);
        Assert.Empty(_receiver.Requests);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/file")]
    [InlineData("/relative/path")]
    public async Task WebhookToUrlThatIsNotHttpFails(string url)
    {
        var message = Message(MessageChannel.Webhook) with { To = url, Method = "POST", Payload = "{}" };

        var outcome = await Channel(MessageChannel.Webhook).SendAsync(message, CancellationToken.None);

        Assert.Equal(SendOutcome.Failed("invalid url"), outcome);
        Assert.Empty(_receiver.Requests);
    }

    [Fact]
    public async Task WebhookWithoutMethodFailsWithoutRequest()
    {
        var message = Message(MessageChannel.Webhook) with { To = _receiver.Url("hooks/order").ToString(), Payload = "{}" };

        var outcome = await Channel(MessageChannel.Webhook).SendAsync(message, CancellationToken.None);

        Assert.Equal(SendResult.Failed, outcome.Result);
        Assert.Empty(_receiver.Requests);
    }

    [Fact]
    public async Task WebhookRedirectIsNotFollowed()
    {
        _receiver.AnswerNext(new Reply(302, Location: "http://elsewhere.example.com/steal"));

        var outcome = await Channel(MessageChannel.Webhook).SendAsync(Webhook(_receiver.Url("hooks/order"), "POST", "{}"), CancellationToken.None);

        Assert.Equal(SendOutcome.Failed("http 302 redirect not followed"), outcome);
        Assert.Single(_receiver.Requests);
    }

    [Fact]
    public async Task GatewayAnswering503IsTransientAndTheRetryCarriesTheSameIdempotencyKey()
    {
        _receiver.AnswerFirst(2, 503);
        var channel = Channel(MessageChannel.Sms);
        var message = Message(MessageChannel.Sms) with { To = "+4915112345678", Text = "hi" };

        var outcomes = new List<SendOutcome>();
        for (var attempt = 0; attempt < 3; attempt++) outcomes.Add(await channel.SendAsync(message, CancellationToken.None));

        Assert.Equal([SendOutcome.Transient("http 503"), SendOutcome.Transient("http 503"), SendOutcome.Sent], outcomes);
        Assert.All(_receiver.Requests, r => Assert.Equal(message.Id, r.Header("Idempotency-Key")));
        Assert.Equal(3, _receiver.Requests.Count);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task RetryableStatusIsTransient(int status)
    {
        _receiver.AnswerFirst(1, status);

        var gateway = await Channel(MessageChannel.Crm).SendAsync(Message(MessageChannel.Crm) with { Payload = "{}" }, CancellationToken.None);
        _receiver.AnswerFirst(1, status);
        var webhook = await Channel(MessageChannel.Webhook).SendAsync(Webhook(_receiver.Url("hooks/order"), "PUT", "{}"), CancellationToken.None);

        Assert.Equal(SendOutcome.Transient($"http {status}"), gateway);
        Assert.Equal(SendOutcome.Transient($"http {status}"), webhook);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    [InlineData(422)]
    public async Task ClientErrorStatusIsFailed(int status)
    {
        _receiver.AnswerFirst(1, status);

        var gateway = await Channel(MessageChannel.Sms).SendAsync(Message(MessageChannel.Sms) with { To = "+4915112345678", Text = "hi" }, CancellationToken.None);
        _receiver.AnswerFirst(1, status);
        var webhook = await Channel(MessageChannel.Webhook).SendAsync(Webhook(_receiver.Url("hooks/order"), "POST", "{}"), CancellationToken.None);

        Assert.Equal(SendOutcome.Failed($"http {status}"), gateway);
        Assert.Equal(SendOutcome.Failed($"http {status}"), webhook);
    }

    [Fact]
    public async Task NothingListeningIsTransient()
    {
        var closed = new Uri($"http://127.0.0.1:{ApiFixture.FreePort()}/");
        var channels = Channels(new() { ["Sms:WebhookUrl"] = new Uri(closed, "sms").ToString() });

        var gateway = await Pick(channels, MessageChannel.Sms).SendAsync(Message(MessageChannel.Sms) with { To = "+4915112345678", Text = "hi" }, CancellationToken.None);
        var webhook = await Pick(channels, MessageChannel.Webhook).SendAsync(Webhook(new Uri(closed, "hooks/order"), "POST", "{}"), CancellationToken.None);

        Assert.Equal(SendOutcome.Transient("connection refused"), gateway);
        Assert.Equal(SendOutcome.Transient("connection refused"), webhook);
    }

    [Fact]
    public async Task ReceiverTooSlowIsTransient()
    {
        _receiver.AnswerNext(new Reply(Delay: TimeSpan.FromSeconds(30)));
        var channel = Pick(Channels(Gateways(), timeout: TimeSpan.FromMilliseconds(500)), MessageChannel.Push);

        var outcome = await channel.SendAsync(Message(MessageChannel.Push) with { To = "device-token-1", Text = "hi" }, CancellationToken.None);

        Assert.Equal(SendOutcome.Transient("timeout"), outcome);
        Assert.Single(_receiver.Requests);
    }

    [Fact]
    public async Task ConnectionDroppedAfterTheRequestIsTransient()
    {
        // The receiver may have acted; the retry carries the same Idempotency-Key so that it can drop the repeat.
        _receiver.AnswerNext(new Reply(Drop: true));

        var outcome = await Channel(MessageChannel.Webhook).SendAsync(Webhook(_receiver.Url("hooks/order"), "POST", "{}"), CancellationToken.None);

        Assert.Equal(SendResult.Transient, outcome.Result);
        Assert.Single(_receiver.Requests);
    }

    [Fact]
    public async Task CallerCancellationIsNotAnOutcome()
    {
        _receiver.AnswerNext(new Reply(Delay: TimeSpan.FromSeconds(30)));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Channel(MessageChannel.Webhook).SendAsync(Webhook(_receiver.Url("hooks/order"), "POST", "{}"), cancellation.Token));
    }

    private Dictionary<string, string?> Gateways() => new()
    {
        ["Sms:WebhookUrl"] = _receiver.Url("sms").ToString(),
        ["Sms:Authorization"] = SmsAuthorization,
        ["Push:WebhookUrl"] = _receiver.Url("push").ToString(),
        ["Push:Authorization"] = PushAuthorization,
        ["Crm:WebhookUrl"] = _receiver.Url("crm").ToString(),
        ["Crm:Authorization"] = CrmAuthorization,
    };

    /// <summary>The channel for <paramref name="channel"/> with every gateway configured and the receiver's host allowed.</summary>
    private IDeliveryChannel Channel(MessageChannel channel) => Pick(Channels(Gateways()), channel);

    private static IDeliveryChannel Pick(IEnumerable<IDeliveryChannel> channels, MessageChannel channel) =>
        Assert.Single(channels, c => c.Handles(channel));

    private List<IDeliveryChannel> Channels(
        Dictionary<string, string?> settings, string[]? allowedHosts = null, bool allowAnyWhenUnset = true, TimeSpan? timeout = null) =>
        [.. Services(settings, allowedHosts ?? (allowAnyWhenUnset ? ["127.0.0.1"] : null), allowAnyWhenUnset, timeout).GetServices<IDeliveryChannel>()];

    private ServiceProvider Services(
        Dictionary<string, string?> settings, string[]? allowedHosts = null, bool allowAnyWhenUnset = false, TimeSpan? timeout = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.Configure<WebhookOptions>(o =>
        {
            o.AllowedHosts = allowedHosts;
            o.AllowAnyWhenUnset = allowAnyWhenUnset;
        });
        HttpChannels.Register(services, new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        if (timeout is { } shorter)
        {
            foreach (var client in new[] { HttpChannels.GatewayClient, HttpChannels.WebhookClient })
                services.Configure<HttpClientFactoryOptions>(client, o => o.HttpClientActions.Add(c => c.Timeout = shorter));
        }
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider;
    }

    private static OutboxMessage Message(MessageChannel channel) => new()
    {
        Id = "m-" + Guid.NewGuid().ToString("N"),
        Channel = channel,
        FlowId = "f-welcome",
        StepId = "s-3",
        ContactId = "c-1",
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    private static OutboxMessage Webhook(Uri url, string method, string? body) =>
        Message(MessageChannel.Webhook) with { To = url.ToString(), Method = method, Payload = body };

    /// <summary>The body is a JSON object with exactly these string properties.</summary>
    private static void AssertJson(string body, Dictionary<string, string> expected)
    {
        using var json = JsonDocument.Parse(body);
        var actual = json.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(expected.OrderBy(p => p.Key).Select(p => (p.Key, (string?)p.Value)), actual.OrderBy(p => p.Key).Select(p => (p.Key, p.Value)));
    }
}
