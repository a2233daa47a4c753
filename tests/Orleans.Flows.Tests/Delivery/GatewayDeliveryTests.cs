using System.Net;
using System.Text.Json;
using Orleans.Flows.Tests.Http;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Delivery;

/// <summary>
/// SMS, push, CRM activities and webhooks leave over HTTP to the gateways the configuration names, through the
/// same outbox, retries, rates and message log as email; a webhook may call only an allowed host.
/// </summary>
[Collection(DeliveryCollection.Name)]
public sealed class GatewayDeliveryTests(DeliveryFixture fixture)
{
    private readonly HttpClient _admin = fixture.Admin();

    private async Task<string> ContactAsync(string extra = "")
    {
        var id = TestIds.New("member");
        (await _admin.PutJson($"/v1/contacts/{id}", $$$"""{"email": "{{{id}}}@example.com", "phone": "+4790000001", "pushToken": "token-{{{id}}}", "firstName": "Ada", "company": "Acme"{{{extra}}}}"""))
            .EnsureSuccessStatusCode();
        return id;
    }

    private List<ReceivedRequest> RequestsFor(string path, string contactId) =>
        [.. fixture.Receiver.Requests.Where(r => r.Path == path && r.Body.Contains(contactId, StringComparison.Ordinal))];

    [Fact]
    public async Task TheReceiverGetsTheSmsTheCrmActivityAndTheWebhookCallOfAJourney()
    {
        var sms = TestIds.New("sms");
        await (await _admin.PutJson($"/v1/content/{sms}", """{"channel": "sms", "name": "Nudge", "text": "Hi {{ contact.firstName }}, 20% off today"}""")).Expect(HttpStatusCode.OK);
        var contactId = await ContactAsync();
        var hook = fixture.Receiver.Url("/hooks/lead").ToString();
        var flowId = await _admin.CreateFlow($$$"""
            {"name": "Lead", "trigger": {"type": "manual"}, "startStepId": "nudge",
             "steps": [
               {"id": "nudge", "type": "sendSms", "contentId": "{{{sms}}}", "next": "call"},
               {"id": "call", "type": "createActivity", "kind": "followUp", "title": "Call {{ contact.firstName }} at {{ contact.company }}", "next": "hook"},
               {"id": "hook", "type": "webhook", "url": "{{{hook}}}", "method": "POST", "body": "{\"contact\": \"{{ contact.id }}\", \"name\": \"{{ contact.firstName }}\"}"}
             ]}
            """);

        await _admin.Enroll(flowId, contactId);

        var smsCall = (await Eventually.Matches(() => Task.FromResult(RequestsFor("/sms", contactId)), r => r.Count > 0, HttpKit.Timeout, "the SMS gateway is called")).Single();
        var smsBody = JsonDocument.Parse(smsCall.Body).RootElement;
        Assert.Equal(("+4790000001", "Hi Ada, 20% off today"), (smsBody.Str("to"), smsBody.Str("text")));
        Assert.Equal("Bearer sms-secret", smsCall.Header("Authorization"));
        Assert.Equal(smsBody.Str("messageId"), smsCall.Header("Idempotency-Key"));

        var crmCall = (await Eventually.Matches(() => Task.FromResult(RequestsFor("/crm", contactId)), r => r.Count > 0, HttpKit.Timeout, "the CRM is called")).Single();
        var activity = JsonDocument.Parse(crmCall.Body).RootElement;
        Assert.Equal(("followUp", "Call Ada at Acme", contactId), (activity.Str("kind"), activity.Str("title"), activity.Str("contactId")));
        Assert.Equal("Bearer crm-secret", crmCall.Header("Authorization"));

        var hookCall = (await Eventually.Matches(() => Task.FromResult(RequestsFor("/hooks/lead", contactId)), r => r.Count > 0, HttpKit.Timeout, "the webhook is called")).Single();
        Assert.Equal("POST", hookCall.Method);
        var hookBody = JsonDocument.Parse(hookCall.Body).RootElement;
        Assert.Equal((contactId, "Ada"), (hookBody.Str("contact"), hookBody.Str("name")));

        var log = await _admin.EventuallyGet($"/v1/messages?contactId={contactId}",
            l => l.GetProperty("items").GetArrayLength() == 3 && l.GetProperty("items").EnumerateArray().All(m => m.Str("status") == "sent"), "the log has three sent messages");
        Assert.Equal(["crm", "sms", "webhook"], log.GetProperty("items").EnumerateArray().Select(m => m.Str("channel")).Order());
        var webhookMessage = log.GetProperty("items").EnumerateArray().Single(m => m.Str("channel") == "webhook");
        var detail = await (await _admin.GetAsync($"/v1/messages/{webhookMessage.Str("id")}")).Expect(HttpStatusCode.OK);
        Assert.Equal(("POST", contactId), (detail.Str("method"), detail.GetProperty("payload").Str("contact")));
    }

    [Fact]
    public async Task AGatewayThatFailsForAWhileGetsTheSmsOnceItRecoversWithTheSameIdempotencyKey()
    {
        var sms = TestIds.New("sms");
        await (await _admin.PutJson($"/v1/content/{sms}", """{"channel": "sms", "name": "Nudge", "text": "Hello"}""")).Expect(HttpStatusCode.OK);
        var contactId = await ContactAsync();
        var flowId = await _admin.CreateFlow($$"""
            {"name": "Retry SMS", "trigger": {"type": "manual"}, "startStepId": "nudge",
             "steps": [{"id": "nudge", "type": "sendSms", "contentId": "{{sms}}"}]}
            """);
        fixture.Receiver.AnswerFirst(2, 503);

        await _admin.Enroll(flowId, contactId);

        var message = (await _admin.EventuallyGet($"/v1/messages?contactId={contactId}",
            l => l.GetProperty("items").EnumerateArray().Any(m => m.Str("status") == "sent"), "the SMS is sent after the gateway recovers"))
            .GetProperty("items")[0];
        var calls = RequestsFor("/sms", contactId);
        Assert.Equal(3, calls.Count);
        Assert.Single(calls.Select(c => c.Header("Idempotency-Key")).Distinct());
        Assert.True(message.GetProperty("attempts").GetInt32() >= 1);
    }

    [Fact]
    public async Task AFlowWithAWebhookToAHostThatIsNotAllowedIsRefusedWhenSaved()
    {
        var response = await _admin.PostJson("/v1/flows", """
            {"name": "Leak", "trigger": {"type": "manual"}, "startStepId": "hook",
             "steps": [{"id": "hook", "type": "webhook", "url": "https://collector.example.net/leads", "method": "POST", "body": "{}"}]}
            """);

        var problem = await response.ExpectInvalidUnder("$.steps");
        Assert.Contains("collector.example.net", problem.GetRawText());
    }

    [Fact]
    public async Task PushMessagesGoNoFasterThanTheConfiguredRate()
    {
        var push = TestIds.New("push");
        await (await _admin.PutJson($"/v1/content/{push}", """{"channel": "push", "name": "Ping", "title": "Hi {{ contact.firstName }}", "body": "News", "url": "https://shop.example.com"}"""))
            .Expect(HttpStatusCode.OK);
        var contacts = new List<string>();
        for (var i = 0; i < 15; i++) contacts.Add(await ContactAsync());
        var flowId = await _admin.CreateFlow($$"""
            {"name": "Rate", "trigger": {"type": "manual"}, "startStepId": "ping",
             "steps": [{"id": "ping", "type": "sendPush", "contentId": "{{push}}"}]}
            """);

        await _admin.Enroll(flowId, [.. contacts]);

        var log = await _admin.EventuallyGet($"/v1/messages?flowId={flowId}",
            l => l.GetProperty("items").GetArrayLength() == 15 && l.GetProperty("items").EnumerateArray().All(m => m.Str("status") == "sent"),
            "all 15 push messages are sent");
        var sentAt = log.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("sentAt").GetDateTimeOffset()).Order().ToList();
        // At 5 a second with at most one second's fifth in a burst, 15 take at least (15 - 1) / 5 = 2.8 s.
        Assert.True(sentAt[^1] - sentAt[0] >= TimeSpan.FromSeconds(2.6), $"15 pushes went out within {(sentAt[^1] - sentAt[0]).TotalSeconds:0.00} s");
        for (var i = 0; i + DeliveryFixture.PushRate + 1 < sentAt.Count; i++)
            Assert.True(sentAt[i + DeliveryFixture.PushRate + 1] - sentAt[i] >= TimeSpan.FromSeconds(0.9), "no second holds more than the rate and a burst");
        var first = JsonDocument.Parse(RequestsFor("/push", contacts[0]).Single().Body).RootElement;
        Assert.Equal(("Hi Ada", "News", "https://shop.example.com"), (first.Str("title"), first.Str("body"), first.Str("url")));
    }

    [Fact]
    public async Task ASendOutsideTheFlowsSendWindowWaitsAndTheHistorySaysUntilWhen()
    {
        var sms = TestIds.New("sms");
        await (await _admin.PutJson($"/v1/content/{sms}", """{"channel": "sms", "name": "Nudge", "text": "Hello"}""")).Expect(HttpStatusCode.OK);
        var contactId = await ContactAsync();
        // A window on another day of the week than today, in UTC: closed now whatever the time.
        var otherDay = DateTime.UtcNow.AddDays(3).DayOfWeek.ToString()[..3].ToLowerInvariant();
        var flowId = await _admin.CreateFlow($$$"""
            {"name": "Windowed", "trigger": {"type": "manual"}, "startStepId": "nudge",
             "schedule": {"timeZone": "UTC", "sendWindow": {"days": ["{{{otherDay}}}"], "from": "09:00", "to": "17:00"}},
             "steps": [{"id": "nudge", "type": "sendSms", "contentId": "{{{sms}}}"}]}
            """);

        await _admin.Enroll(flowId, contactId);

        var held = await _admin.EventuallyParticipant(flowId, contactId, p => p.Str("status") == "waiting", "the send waits for its window");
        var entry = held.History().Last();
        Assert.Equal(("nudge", "held", "send_window"), (entry.Str("stepId"), entry.Str("outcome"), entry.Str("reason")));
        var until = entry.GetProperty("until").GetDateTimeOffset();
        Assert.Equal((DateTimeOffset.UtcNow.AddDays(3).Date, TimeSpan.FromHours(9)), (until.UtcDateTime.Date, until.UtcDateTime.TimeOfDay));
        Assert.Empty((await (await _admin.GetAsync($"/v1/messages?contactId={contactId}")).Body()).GetProperty("items").EnumerateArray());
    }
}
