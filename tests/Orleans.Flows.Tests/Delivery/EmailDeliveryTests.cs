using System.Net;
using System.Text.Json;
using MimeKit;
using Orleans.Flows.Tests.Http;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Delivery;

/// <summary>
/// Email as a subscriber and a sender see it: flows send through a real SMTP server (smtp4dev), personalised,
/// with tracked links, an open pixel, unsubscribe links and headers, and a Message-ID from the message id; opens,
/// clicks, unsubscribes and bounces come back and steer the journeys.
/// </summary>
[Collection(DeliveryCollection.Name)]
public sealed class EmailDeliveryTests(DeliveryFixture fixture)
{
    private readonly HttpClient _admin = fixture.Admin();

    private const string Html = """<p>Hi {{ contact.firstName }}, your plan is {{ contact.attributes.plan }}.</p><p><a href="https://shop.example.com/offer?x=1">See the offer</a> or <a href="mailto:help@example.com">write to us</a>.</p>""";

    private async Task<string> EmailAsync(string subject = "Hello {{ contact.firstName }}")
    {
        var id = TestIds.New("email");
        await (await _admin.PutJson($"/v1/content/{id}", JsonSerializer.Serialize(new
        {
            channel = "email", name = "Offer", subject, html = Html, text = "Hi {{ contact.firstName }}, see https://shop.example.com/offer",
        }))).Expect(HttpStatusCode.OK);
        return id;
    }

    private async Task<(string Id, string Address)> ContactAsync()
    {
        var id = TestIds.New("reader");
        var address = $"{id}@example.com";
        (await _admin.PutJson($"/v1/contacts/{id}", $$$"""{"email": "{{{address}}}", "firstName": "Ada", "attributes": {"plan": "pro"}}""")).EnsureSuccessStatusCode();
        return (id, address);
    }

    private async Task<MimeMessage> ReceivedAsync(string address)
    {
        var email = (await Eventually.Matches(fixture.Smtp.MessagesAsync, m => m.Any(e => e.To.Contains(address)), HttpKit.Timeout, $"an email to {address} arrives"))
            .Single(e => e.To.Contains(address));
        return MimeMessage.Load(new MemoryStream(await fixture.Smtp.RawSourceAsync(email.Id)));
    }

    private async Task<int> CountReceivedAsync(string address) => (await fixture.Smtp.MessagesAsync()).Count(e => e.To.Contains(address));

    private async Task<JsonElement> MessageOfAsync(string contactId, string stepId, Func<JsonElement, bool> condition, string what) =>
        await Eventually.Matches(async () =>
        {
            var list = await (await _admin.GetAsync($"/v1/messages?contactId={contactId}")).Expect(HttpStatusCode.OK);
            return list.GetProperty("items").EnumerateArray().FirstOrDefault(m => m.Str("stepId") == stepId);
        }, m => m.ValueKind == JsonValueKind.Object && condition(m), HttpKit.Timeout, what);

    /// <summary>The path of a link of ours in the email (the test server answers paths, not flows.test).</summary>
    private static string PathOf(string url)
    {
        Assert.StartsWith(DeliveryFixture.TrackingBase + "/", url);
        return url[DeliveryFixture.TrackingBase.Length..];
    }

    private static IEnumerable<string> Links(string? html) =>
        System.Text.RegularExpressions.Regex.Matches(html ?? "", "(?:href|src)=\"([^\"]+)\"").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value));

    private async Task<(string FlowId, string ContactId, MimeMessage Email)> SentAsync(string steps, string extra = "")
    {
        var emailId = await EmailAsync();
        var (contactId, address) = await ContactAsync();
        var flowId = await _admin.CreateFlow($$"""
            {"name": "Offer", "trigger": {"type": "manual"}, {{extra}} "startStepId": "offer",
             "steps": [{{steps.Replace("EMAIL", emailId)}}]}
            """);
        await _admin.Enroll(flowId, contactId);
        return (flowId, contactId, await ReceivedAsync(address));
    }

    [Fact]
    public async Task AnEmailArrivesPersonalisedWithTrackedLinksAPixelUnsubscribeLinksAndHeadersAndItsMessageId()
    {
        var (flowId, contactId, email) = await SentAsync("""{"id": "offer", "type": "sendEmail", "contentId": "EMAIL"}""");

        Assert.Equal("Hello Ada", email.Subject);
        Assert.Equal("flows@example.com", email.From.Mailboxes.Single().Address);
        Assert.Contains("Hi Ada, your plan is pro.", email.HtmlBody);
        Assert.Contains("Hi Ada, see https://shop.example.com/offer", email.TextBody);

        var links = Links(email.HtmlBody).ToList();
        Assert.DoesNotContain("https://shop.example.com/offer?x=1", links);
        Assert.Contains(links, l => l.StartsWith(DeliveryFixture.TrackingBase + "/t/c/", StringComparison.Ordinal));
        Assert.Contains("mailto:help@example.com", links);
        Assert.Contains(links, l => l.StartsWith(DeliveryFixture.TrackingBase + "/t/o/", StringComparison.Ordinal));
        var unsubscribe = Assert.Single(links, l => l.StartsWith(DeliveryFixture.TrackingBase + "/u/", StringComparison.Ordinal));
        Assert.Contains(unsubscribe, email.TextBody);
        Assert.Equal($"<{unsubscribe}>", email.Headers[HeaderId.ListUnsubscribe]);
        Assert.Equal("List-Unsubscribe=One-Click", email.Headers["List-Unsubscribe-Post"]);

        var message = await MessageOfAsync(contactId, "offer", m => m.Str("status") == "sent", "the message log says sent");
        var messageId = message.Str("id")!;
        Assert.Equal(("email", flowId, 1), (message.Str("channel"), message.Str("flowId"), message.GetProperty("attempts").GetInt32()));
        Assert.Equal(messageId, email.Headers["X-Flows-Message-Id"]);
        Assert.StartsWith(messageId.Replace(':', '=').Replace('@', '+'), email.MessageId);
        var detail = await (await _admin.GetAsync($"/v1/messages/{messageId}")).Expect(HttpStatusCode.OK);
        Assert.Equal("Hello Ada", detail.Str("subject"));
        Assert.Contains("Hi Ada, your plan is pro.", detail.Str("html"));
        Assert.Equal(unsubscribe, detail.Str("unsubscribeUrl"));
        var participant = await (await _admin.GetAsync($"/v1/flows/{flowId}/participants/{contactId}")).Expect(HttpStatusCode.OK);
        Assert.Equal((messageId, "sent"), (participant.GetProperty("lastSending").Str("messageId"), participant.GetProperty("lastSending").Str("status")));
    }

    [Fact]
    public async Task FollowingTheTrackedLinkRedirectsContinuesTheWaitForAClickAndMeetsTheSuccessCriteria()
    {
        var (flowId, contactId, email) = await SentAsync(
            """
            {"id": "offer", "type": "sendEmail", "contentId": "EMAIL", "next": "click"},
            {"id": "click", "type": "waitForEvent", "event": "link.clicked", "timeout": "P7D", "next": "clicked", "onTimeout": "clicked"},
            {"id": "clicked", "type": "updateContact", "addTags": ["clicked"]}
            """,
            """ "success": {"when": {"event": "link.clicked"}, "then": "continue"}, """);
        await _admin.EventuallyParticipant(flowId, contactId, p => p.Str("status") == "waiting", "the participant waits for a click");
        var click = Links(email.HtmlBody).First(l => l.Contains("/t/c/", StringComparison.Ordinal));

        var response = await fixture.Browser().GetAsync(PathOf(click));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("https://shop.example.com/offer?x=1", response.Headers.Location?.OriginalString);
        var done = await _admin.EventuallyParticipant(flowId, contactId, p => p.Str("status") == "completed", "the click ends the wait");
        Assert.True(done.GetProperty("succeeded").GetBoolean());
        Assert.Contains(done.History(), h => h.Str("stepId") == "click" && h.Str("outcome") == "event_received");
        var contact = await (await _admin.GetAsync($"/v1/contacts/{contactId}")).Expect(HttpStatusCode.OK);
        Assert.Contains("clicked", contact.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        await _admin.EventuallyStats(flowId, s => s.GetProperty("sends").Long("clicked") == 1, "the stats count the click");
    }

    [Fact]
    public async Task TheOpenPixelIsAnImageAndRecordsOneOpenHoweverOftenItLoads()
    {
        var (flowId, _, email) = await SentAsync("""{"id": "offer", "type": "sendEmail", "contentId": "EMAIL"}""");
        var pixel = PathOf(Links(email.HtmlBody).Single(l => l.Contains("/t/o/", StringComparison.Ordinal)));

        for (var i = 0; i < 3; i++)
        {
            var response = await fixture.Browser().GetAsync(pixel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/gif", response.Content.Headers.ContentType?.MediaType);
        }

        await _admin.EventuallyStats(flowId, s => s.GetProperty("sends").Long("opened") == 1, "the stats count one open");
        await HttpKit.Stays(async () => (await (await _admin.GetAsync($"/v1/flows/{flowId}/stats")).Body()).GetProperty("sends").Long("opened") == 1,
            TimeSpan.FromSeconds(1), "later loads count no more opens");
    }

    [Fact]
    public async Task UnsubscribingFromTheEmailSkipsTheNextSendWithNoConsent()
    {
        var (flowId, contactId, email) = await SentAsync(
            """
            {"id": "offer", "type": "sendEmail", "contentId": "EMAIL", "next": "pause"},
            {"id": "pause", "type": "wait", "duration": "PT3S", "next": "again"},
            {"id": "again", "type": "sendEmail", "contentId": "EMAIL"}
            """);
        var unsubscribe = PathOf(email.Headers[HeaderId.ListUnsubscribe]!.Trim('<', '>'));
        var browser = fixture.Browser();

        var page = await browser.GetAsync(unsubscribe);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<form", await page.Content.ReadAsStringAsync());
        var untouched = await (await _admin.GetAsync($"/v1/contacts/{contactId}")).Expect(HttpStatusCode.OK);
        Assert.True(untouched.GetProperty("consent").GetProperty("email").GetBoolean());

        // What a mail provider's one-click button sends (RFC 8058): no cookie, no anti-forgery token.
        var oneClick = await browser.PostAsync(unsubscribe, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);

        var contact = await (await _admin.GetAsync($"/v1/contacts/{contactId}")).Expect(HttpStatusCode.OK);
        Assert.False(contact.GetProperty("consent").GetProperty("email").GetBoolean());
        var exited = await _admin.EventuallyParticipant(flowId, contactId, p => p.Str("status") == "exited", "the next send finds no consent");
        Assert.Equal("no_consent", exited.Str("exitReason"));
        Assert.Contains(exited.History(), h => h.Str("stepId") == "again" && h.Str("reason") == "no_consent");
        Assert.Equal(1, await CountReceivedAsync(contact.Str("email")!));
    }

    [Fact]
    public async Task AForgedOrAlteredTokenGets404AndRecordsNothing()
    {
        var (flowId, contactId, email) = await SentAsync("""{"id": "offer", "type": "sendEmail", "contentId": "EMAIL"}""");
        var browser = fixture.Browser();
        var links = Links(email.HtmlBody).Where(l => l.StartsWith(DeliveryFixture.TrackingBase, StringComparison.Ordinal)).Select(PathOf).ToList();
        Assert.Equal(3, links.Count);

        foreach (var link in links)
        {
            var token = link[(link.LastIndexOf('/') + 1)..];
            var altered = link[..(link.LastIndexOf('/') + 1)] + (token[5] == 'A' ? token.Remove(5, 1).Insert(5, "B") : token.Remove(5, 1).Insert(5, "A"));
            Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync(altered)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/t/c/forged-token")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.PostAsync("/u/AQIDBAUGBwgJCgsMDQ4PEA", null)).StatusCode);
        var unsubscribe = links.Single(l => l.StartsWith("/u/", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await browser.PostAsync(unsubscribe + "x", null)).StatusCode);

        var contact = await (await _admin.GetAsync($"/v1/contacts/{contactId}")).Expect(HttpStatusCode.OK);
        Assert.True(contact.GetProperty("consent").GetProperty("email").GetBoolean());
        var stats = await (await _admin.GetAsync($"/v1/flows/{flowId}/stats")).Body();
        Assert.Equal((0, 0), (stats.GetProperty("sends").Long("opened"), stats.GetProperty("sends").Long("clicked")));
    }

    [Fact]
    public async Task AHardBounceMarksTheMessageAndStopsTheNextEmailWhileASoftBounceDoesNot()
    {
        const string steps = """
            {"id": "offer", "type": "sendEmail", "contentId": "EMAIL", "next": "pause"},
            {"id": "pause", "type": "wait", "duration": "PT3S", "next": "again"},
            {"id": "again", "type": "sendEmail", "contentId": "EMAIL"}
            """;
        var (hardFlow, hard, _) = await SentAsync(steps);
        var (softFlow, soft, _) = await SentAsync(steps);
        var hardMessage = (await MessageOfAsync(hard, "offer", m => m.Str("status") == "sent", "sent")).Str("id");
        var softMessage = (await MessageOfAsync(soft, "offer", m => m.Str("status") == "sent", "sent")).Str("id");

        await _admin.Ingest(
            HttpKit.Event(hard, "email.bounced", $$"""{"messageId": "{{hardMessage}}", "kind": "hard", "reason": "550 no such user"}"""),
            HttpKit.Event(soft, "email.bounced", $$"""{"messageId": "{{softMessage}}", "kind": "soft"}"""));

        var bounced = await (await _admin.GetAsync($"/v1/messages/{hardMessage}")).Expect(HttpStatusCode.OK);
        Assert.Equal(("bounced", "hard bounce: 550 no such user"), (bounced.Str("status"), bounced.Str("error")));
        var exited = await _admin.EventuallyParticipant(hardFlow, hard, p => p.Str("status") == "exited", "the hard-bounced contact gets no second email");
        Assert.Equal("no_consent", exited.Str("exitReason"));
        await _admin.EventuallyParticipant(softFlow, soft, p => p.Str("status") == "completed", "the soft-bounced contact gets the second email");
        await MessageOfAsync(soft, "again", m => m.Str("status") == "sent", "the second email is sent");
    }

    [Fact]
    public async Task ADeliveryReportMarksTheMessageDeliveredAndLastSendingSaysSo()
    {
        var (flowId, contactId, _) = await SentAsync("""{"id": "offer", "type": "sendEmail", "contentId": "EMAIL"}""");
        var messageId = (await MessageOfAsync(contactId, "offer", m => m.Str("status") == "sent", "sent")).Str("id");

        await _admin.Ingest(HttpKit.Event(contactId, "email.delivered", $$"""{"messageId": "{{messageId}}"}"""));

        await MessageOfAsync(contactId, "offer", m => m.Str("status") == "delivered", "the message is delivered");
        var participant = await (await _admin.GetAsync($"/v1/flows/{flowId}/participants/{contactId}")).Expect(HttpStatusCode.OK);
        Assert.Equal("delivered", participant.GetProperty("lastSending").Str("status"));
        await _admin.EventuallyStats(flowId, s => s.GetProperty("sends").Long("delivered") == 1, "the stats count the delivery");
    }

    [Fact]
    public async Task WhileTheSmtpServerIsDownTheEmailIsRetriedAndOnceItIsBackItArrivesExactlyOnce()
    {
        var emailId = await EmailAsync();
        var (contactId, address) = await ContactAsync();
        var flowId = await _admin.CreateFlow($$"""
            {"name": "Retry", "trigger": {"type": "manual"}, "startStepId": "offer",
             "steps": [{"id": "offer", "type": "sendEmail", "contentId": "{{emailId}}"}]}
            """);
        await fixture.Smtp.StopAsync();
        try
        {
            await _admin.Enroll(flowId, contactId);
            var waiting = await MessageOfAsync(contactId, "offer", m => m.GetProperty("attempts").GetInt32() >= 2, "the email is tried again");
            Assert.Equal("queued", waiting.Str("status"));
            Assert.False(string.IsNullOrEmpty(waiting.Str("error")));
        }
        finally
        {
            await fixture.Smtp.StartAsync();
        }

        var sent = await MessageOfAsync(contactId, "offer", m => m.Str("status") == "sent", "the email goes once the server is back");
        Assert.True(sent.GetProperty("attempts").GetInt32() >= 3);
        await ReceivedAsync(address);
        await HttpKit.Stays(async () => await CountReceivedAsync(address) == 1, TimeSpan.FromSeconds(2), "no second copy arrives");
    }

    [Fact]
    public async Task AnEmailWhoseTemplateFailsForTheContactIsRecordedAsFailedWithTheReasonAndNotSent()
    {
        // Parses, so it is saved; but renders without end.
        var emailId = await EmailAsync("Hi {% for i in (1..1000) %}{% for j in (1..1000) %}{{ contact.firstName }}{% endfor %}{% endfor %}");
        var (contactId, address) = await ContactAsync();
        var flowId = await _admin.CreateFlow($$"""
            {"name": "Broken", "trigger": {"type": "manual"}, "startStepId": "offer",
             "steps": [{"id": "offer", "type": "sendEmail", "contentId": "{{emailId}}"}]}
            """);

        await _admin.Enroll(flowId, contactId);

        var failed = await MessageOfAsync(contactId, "offer", m => m.Str("status") == "failed", "the message is recorded as failed");
        Assert.StartsWith("template_error: subject", failed.Str("error"));
        Assert.Equal(0, failed.GetProperty("attempts").GetInt32());
        await _admin.EventuallyStats(flowId, s => s.GetProperty("sends").Long("failed") == 1 && s.GetProperty("sends").Long("sent") == 0, "the stats count the failure");
        Assert.Equal(0, await CountReceivedAsync(address));
    }

    [Fact]
    public async Task TheMessageLogAnswersBadFiltersAndUnknownIdsWithProblems()
    {
        await (await _admin.GetAsync("/v1/messages?status=lost")).ExpectInvalid("status");
        await (await _admin.GetAsync("/v1/messages?limit=0")).ExpectInvalid("limit");
        await (await _admin.GetAsync("/v1/messages?cursor=%%%")).ExpectInvalid("cursor");
        await (await _admin.GetAsync("/v1/messages/no-such-message")).ExpectProblem(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Browser().GetAsync("/v1/messages")).StatusCode);
    }
}
