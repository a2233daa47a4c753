using System.Net;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

[Collection(ApiCollection.Name)]
public sealed class ContentTests(ApiFixture api)
{
    private readonly HttpClient _admin = api.Client();

    [Fact]
    public async Task PutEmailContent()
    {
        var id = TestIds.New("email");
        var item = await (await _admin.PutJson($"/v1/content/{id}", """
            {"channel": "email", "name": "Welcome", "subject": "Hi {{ contact.firstName }}", "html": "<p>Hi</p>", "text": "Hi", "from": "News <news@example.com>"}
            """)).Expect(HttpStatusCode.OK);
        Assert.Equal(id, item.Str("id"));
        Assert.Equal("email", item.Str("channel"));
        Assert.Equal("Hi {{ contact.firstName }}", item.Str("subject"));
    }

    [Fact]
    public async Task PutSmsContent()
    {
        var item = await (await _admin.PutJson($"/v1/content/{TestIds.New("sms")}", """{"channel": "sms", "name": "Nudge", "text": "Hi"}""")).Expect(HttpStatusCode.OK);
        Assert.Equal("sms", item.Str("channel"));
        Assert.Equal("Hi", item.Str("text"));
    }

    [Fact]
    public async Task PutPushContent()
    {
        var item = await (await _admin.PutJson($"/v1/content/{TestIds.New("push")}",
            """{"channel": "push", "name": "Ping", "title": "Hey", "body": "Come back", "url": "https://example.com/x"}""")).Expect(HttpStatusCode.OK);
        Assert.Equal("push", item.Str("channel"));
        Assert.Equal("Come back", item.Str("body"));
    }

    [Fact]
    public async Task EmailWithoutSubjectIsRejected()
    {
        var id = TestIds.New("email");
        await (await _admin.PutJson($"/v1/content/{id}", """{"channel": "email", "name": "No subject", "html": "<p>Hi</p>"}""")).ExpectInvalid("$.subject");
        await (await _admin.GetAsync($"/v1/content/{id}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task LiquidSyntaxErrorInHtmlIsRejected()
    {
        await (await _admin.PutJson($"/v1/content/{TestIds.New("email")}",
            """{"channel": "email", "name": "Broken", "subject": "Hi", "html": "<p>{% if contact.firstName %}Hi</p>"}""")).ExpectInvalid("$.html");
    }

    [Fact]
    public async Task LiquidSyntaxErrorInSmsTextIsRejected()
    {
        await (await _admin.PutJson($"/v1/content/{TestIds.New("sms")}", """{"channel": "sms", "name": "Broken", "text": "Hi {{ contact.firstName "}""")).ExpectInvalid("$.text");
    }

    [Fact]
    public async Task LiquidErrorOnLineThreeOfTheHtmlNamesTheLine()
    {
        var errors = await (await _admin.PutJson($"/v1/content/{TestIds.New("email")}",
            """{"channel": "email", "name": "Broken", "subject": "Hi", "html": "<p>Hello</p>\n<p>there</p>\n<p>{{ contact.firstName | }}</p>"}""")).ExpectInvalid("$.html");
        var message = errors.GetProperty("$.html")[0].GetString();
        Assert.Contains("line 3, column", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{% for i in (1..100000000) %}x{% endfor %}", "at most 10000")]
    [InlineData("{% for i in (1..contact.attributes.count) %}x{% endfor %}", "must be numbers")]
    public async Task ARangeThatCouldExhaustASilosMemoryIsRefusedAtSaveWhileProseWithDotsIsFine(string loop, string reason)
    {
        var errors = await (await _admin.PutJson($"/v1/content/{TestIds.New("email")}", System.Text.Json.JsonSerializer.Serialize(new
        {
            channel = "email", name = "Loop", subject = "Hi", html = "<p>Hello (more...)</p>\n" + loop,
        }))).ExpectInvalid("$.html");
        var message = errors.GetProperty("$.html")[0].GetString();
        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.Contains("line 2", message, StringComparison.Ordinal);

        await (await _admin.PutJson($"/v1/content/{TestIds.New("email")}",
            """{"channel": "email", "name": "Fine", "subject": "Hi", "html": "<p>Read on (more...)</p>{% for i in (1..3) %}{{ i }}{% endfor %}"}"""))
            .Expect(System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task UnclosedIfAcrossLinesNamesTheLineWhereTheTemplateEnds()
    {
        var errors = await (await _admin.PutJson($"/v1/content/{TestIds.New("email")}",
            """{"channel": "email", "name": "Broken", "subject": "Hi", "html": "<p>Hi</p>\n{% if contact.firstName %}\n<p>"}""")).ExpectInvalid("$.html");
        var message = errors.GetProperty("$.html")[0].GetString();
        Assert.Contains("line 3", message, StringComparison.Ordinal);
        Assert.Contains("endif", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiquidErrorInSmsTextNamesTheLine()
    {
        var errors = await (await _admin.PutJson($"/v1/content/{TestIds.New("sms")}",
            """{"channel": "sms", "name": "Broken", "text": "Hi\n{% foo %}"}""")).ExpectInvalid("$.text");
        Assert.Contains("line 2, column", errors.GetProperty("$.text")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownChannelIsRejected()
    {
        await (await _admin.PutJson($"/v1/content/{TestIds.New("fax")}", """{"channel": "fax", "name": "Fax", "text": "Hi"}""")).ExpectInvalid("$.channel");
    }

    [Fact]
    public async Task ListContainsTheContent()
    {
        var id = await _admin.SmsContent();
        var list = await (await _admin.GetAsync("/v1/content")).Expect(HttpStatusCode.OK);
        var item = Assert.Single(list.GetProperty("items").EnumerateArray(), i => i.Str("id") == id);
        Assert.Equal("sms", item.Str("channel"));
        Assert.Equal("Nudge", item.Str("name"));
    }

    [Fact]
    public async Task GetReturnsTheContent()
    {
        var id = await _admin.EmailContent();
        var item = await (await _admin.GetAsync($"/v1/content/{id}")).Expect(HttpStatusCode.OK);
        Assert.Equal(id, item.Str("id"));
        Assert.Equal("Welcome", item.Str("name"));
        Assert.Equal("<p>Hi {{ contact.firstName }}</p>", item.Str("html"));
    }

    [Fact]
    public async Task GetUnknownContentIsNotFound()
    {
        await (await _admin.GetAsync($"/v1/content/{TestIds.New("nothing")}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeleteRemovesTheContent()
    {
        var id = await _admin.SmsContent();
        await (await _admin.DeleteAsync($"/v1/content/{id}")).Expect(HttpStatusCode.NoContent);
        await (await _admin.GetAsync($"/v1/content/{id}")).ExpectProblem(HttpStatusCode.NotFound);
        var list = await (await _admin.GetAsync("/v1/content")).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), i => i.Str("id") == id);
    }

    [Fact]
    public async Task DeleteWhileARunningFlowUsesItIsAConflict()
    {
        var (flow, sms) = await RunningFlowUsingSms();
        var problem = await (await _admin.DeleteAsync($"/v1/content/{sms}")).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Contains(flow, problem.Str("detail"), StringComparison.Ordinal);
        await (await _admin.GetAsync($"/v1/content/{sms}")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DeleteWhileAPausedFlowUsesItIsAConflict()
    {
        var (flow, sms) = await RunningFlowUsingSms();
        await (await _admin.Post($"/v1/flows/{flow}/pause")).Expect(HttpStatusCode.OK);
        await (await _admin.DeleteAsync($"/v1/content/{sms}")).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task DeleteAfterTheFlowEndedSucceeds()
    {
        var (flow, sms) = await RunningFlowUsingSms();
        await (await _admin.Post($"/v1/flows/{flow}/end")).Expect(HttpStatusCode.OK);
        await (await _admin.DeleteAsync($"/v1/content/{sms}")).Expect(HttpStatusCode.NoContent);
    }

    private async Task<(string Flow, string Sms)> RunningFlowUsingSms()
    {
        var email = await _admin.EmailContent();
        var sms = await _admin.SmsContent();
        var created = await (await _admin.PostJson("/v1/flows", HttpKit.SendWaitSend("Uses content", email, sms))).Expect(HttpStatusCode.Created);
        var flow = created.Str("id")!;
        await (await _admin.Post($"/v1/flows/{flow}/start")).Expect(HttpStatusCode.OK);
        return (flow, sms);
    }
}
