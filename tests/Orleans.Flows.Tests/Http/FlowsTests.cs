using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

[Collection(ApiCollection.Name)]
public sealed class FlowsTests(ApiFixture api)
{
    private readonly HttpClient _admin = api.Client();


    /// <summary>The example definition of API.md, with its two contents made first under fresh ids.</summary>
    private async Task<string> ExampleDefinition(string? id = null)
    {
        var welcome = TestIds.New("welcome-email");
        var nudge = TestIds.New("nudge-sms");
        await (await _admin.PutJson($"/v1/content/{welcome}",
            """{"channel": "email", "name": "Welcome", "subject": "Welcome {{ contact.firstName }}", "html": "<p>Welcome</p>"}""")).Expect(HttpStatusCode.OK);
        await (await _admin.PutJson($"/v1/content/{nudge}", """{"channel": "sms", "name": "Nudge", "text": "Did you see our mail?"}""")).Expect(HttpStatusCode.OK);
        // The example of API.md (one copy, in FlowBuilder) with this test's own content ids and, if given, its id.
        var example = JsonNode.Parse(Interpretation.FlowBuilder.ExampleJson)!.AsObject();
        example["steps"]![0]!["contentId"] = welcome;
        example["steps"]![3]!["contentId"] = nudge;
        if (id is not null) example["id"] = id;
        return example.ToJsonString();
    }

    [Fact]
    public async Task PostTheExampleDefinitionCreatesADraft()
    {
        var response = await _admin.PostJson("/v1/flows", await ExampleDefinition());
        var flow = await response.Expect(HttpStatusCode.Created);

        var id = flow.Str("id");
        Assert.False(string.IsNullOrEmpty(id));
        Assert.Equal(1, flow.GetProperty("version").GetInt32());
        Assert.Equal("draft", flow.Str("status"));
        Assert.Equal("Welcome new customers", flow.Str("name"));
        Assert.NotNull(response.Headers.Location);
        Assert.EndsWith($"/v1/flows/{id}", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostWithAnIdUsesIt()
    {
        var id = TestIds.New("flow");
        var flow = await (await _admin.PostJson("/v1/flows", await ExampleDefinition(id))).Expect(HttpStatusCode.Created);
        Assert.Equal(id, flow.Str("id"));
        await (await _admin.GetAsync($"/v1/flows/{id}")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task PostWithAnIdThatExistsIsAConflict()
    {
        var id = TestIds.New("flow");
        await (await _admin.PostJson("/v1/flows", await ExampleDefinition(id))).Expect(HttpStatusCode.Created);
        await (await _admin.PostJson("/v1/flows", await ExampleDefinition(id))).ExpectProblem(HttpStatusCode.Conflict);
        var flow = await (await _admin.GetAsync($"/v1/flows/{id}")).Expect(HttpStatusCode.OK);
        Assert.Equal(1, flow.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task GetReturnsTheDefinitionWithStatusVersionAndTimestamps()
    {
        var created = await (await _admin.PostJson("/v1/flows", await ExampleDefinition())).Expect(HttpStatusCode.Created);
        var flow = await (await _admin.GetAsync($"/v1/flows/{created.Str("id")}")).Expect(HttpStatusCode.OK);

        Assert.Equal("Welcome new customers", flow.Str("name"));
        Assert.Equal("draft", flow.Str("status"));
        Assert.Equal(1, flow.GetProperty("version").GetInt32());
        Assert.Equal("welcome", flow.Str("startStepId"));
        Assert.Equal("manual", flow.GetProperty("trigger").Str("type"));
        Assert.Equal("attributes.category", flow.GetProperty("filter").Str("attribute"));
        Assert.Equal("never", flow.GetProperty("reentry").GetString());
        Assert.Equal("Europe/Oslo", flow.GetProperty("schedule").Str("timeZone"));
        var steps = flow.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["welcome", "pause", "opened", "nudge", "offer", "lead", "call", "done"], steps.Select(s => s.Str("id")));
        Assert.Equal("wait", steps[1].Str("type"));
        Assert.Equal("P2D", steps[1].Str("duration"));
        Assert.True(flow.TryGetProperty("createdAt", out _) && flow.TryGetProperty("updatedAt", out _), $"timestamps missing: {flow}");
    }

    [Fact]
    public async Task PutInDraftMakesVersionTwo()
    {
        var flow = await _admin.Flow();
        var definition = JsonNode.Parse(await _admin.GetStringAsync($"/v1/flows/{flow}"))!;
        definition["name"] = "Edited name";
        var updated = await (await _admin.PutAsJsonAsync($"/v1/flows/{flow}", definition)).Expect(HttpStatusCode.OK);
        Assert.Equal(2, updated.GetProperty("version").GetInt32());
        Assert.Equal("Edited name", updated.Str("name"));
        Assert.Equal("draft", updated.Str("status"));
    }

    [Fact]
    public async Task StartMakesItRunning()
    {
        var flow = await _admin.Flow();
        var started = await (await _admin.Post($"/v1/flows/{flow}/start")).Expect(HttpStatusCode.OK);
        Assert.Equal("running", started.Str("status"));
        Assert.Equal(flow, started.Str("id"));
    }

    [Fact]
    public async Task StartTwiceIsAConflict()
    {
        var flow = await _admin.Flow(start: true);
        await (await _admin.Post($"/v1/flows/{flow}/start")).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task PauseMakesItPaused()
    {
        var flow = await _admin.Flow(start: true);
        var paused = await (await _admin.Post($"/v1/flows/{flow}/pause")).Expect(HttpStatusCode.OK);
        Assert.Equal("paused", paused.Str("status"));
    }

    [Fact]
    public async Task PausedFlowCanBeStartedAgain()
    {
        var flow = await _admin.Flow(start: true);
        await (await _admin.Post($"/v1/flows/{flow}/pause")).Expect(HttpStatusCode.OK);
        var resumed = await (await _admin.Post($"/v1/flows/{flow}/start")).Expect(HttpStatusCode.OK);
        Assert.Equal("running", resumed.Str("status"));
    }

    [Fact]
    public async Task PauseADraftIsAConflict()
    {
        var flow = await _admin.Flow();
        await (await _admin.Post($"/v1/flows/{flow}/pause")).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task PutWhilePausedMakesANewVersion()
    {
        var flow = await _admin.Flow(start: true);
        await (await _admin.Post($"/v1/flows/{flow}/pause")).Expect(HttpStatusCode.OK);
        var definition = await (await _admin.GetAsync($"/v1/flows/{flow}")).Expect(HttpStatusCode.OK);
        var updated = await (await _admin.PutAsJsonAsync($"/v1/flows/{flow}", definition)).Expect(HttpStatusCode.OK);
        Assert.Equal(2, updated.GetProperty("version").GetInt32());
        Assert.Equal("paused", updated.Str("status"));
    }

    [Fact]
    public async Task PutWhileRunningIsAConflict()
    {
        var flow = await _admin.Flow(start: true);
        var definition = await (await _admin.GetAsync($"/v1/flows/{flow}")).Expect(HttpStatusCode.OK);
        await (await _admin.PutAsJsonAsync($"/v1/flows/{flow}", definition)).ExpectProblem(HttpStatusCode.Conflict);
        var after = await (await _admin.GetAsync($"/v1/flows/{flow}")).Expect(HttpStatusCode.OK);
        Assert.Equal(1, after.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task EndMakesItEnded()
    {
        var flow = await _admin.Flow(start: true);
        var ended = await (await _admin.Post($"/v1/flows/{flow}/end")).Expect(HttpStatusCode.OK);
        Assert.Equal("ended", ended.Str("status"));
    }

    [Fact]
    public async Task PauseAfterEndIsAConflict()
    {
        var flow = await _admin.Flow(start: true);
        await (await _admin.Post($"/v1/flows/{flow}/end")).Expect(HttpStatusCode.OK);
        await (await _admin.Post($"/v1/flows/{flow}/pause")).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task StartAfterEndIsAConflict()
    {
        var flow = await _admin.Flow(start: true);
        await (await _admin.Post($"/v1/flows/{flow}/end")).Expect(HttpStatusCode.OK);
        await (await _admin.Post($"/v1/flows/{flow}/start")).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task PutAfterEndIsAConflict()
    {
        var flow = await _admin.Flow(start: true);
        await (await _admin.Post($"/v1/flows/{flow}/end")).Expect(HttpStatusCode.OK);
        var definition = await (await _admin.GetAsync($"/v1/flows/{flow}")).Expect(HttpStatusCode.OK);
        await (await _admin.PutAsJsonAsync($"/v1/flows/{flow}", definition)).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task DeleteRunningIsAConflict()
    {
        var flow = await _admin.Flow(start: true);
        await (await _admin.DeleteAsync($"/v1/flows/{flow}")).ExpectProblem(HttpStatusCode.Conflict);
        await (await _admin.GetAsync($"/v1/flows/{flow}")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DeletePausedIsAConflict()
    {
        var flow = await _admin.Flow(start: true);
        await (await _admin.Post($"/v1/flows/{flow}/pause")).Expect(HttpStatusCode.OK);
        await (await _admin.DeleteAsync($"/v1/flows/{flow}")).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task DeleteDraftRemovesIt()
    {
        var flow = await _admin.Flow();
        await (await _admin.DeleteAsync($"/v1/flows/{flow}")).Expect(HttpStatusCode.NoContent);
        await (await _admin.GetAsync($"/v1/flows/{flow}")).ExpectProblem(HttpStatusCode.NotFound);
        var list = await (await _admin.GetAsync($"/v1/flows?search={flow}")).Expect(HttpStatusCode.OK);
        Assert.Empty(list.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task DeleteEndedRemovesIt()
    {
        var flow = await _admin.Flow(start: true);
        await (await _admin.Post($"/v1/flows/{flow}/end")).Expect(HttpStatusCode.OK);
        await (await _admin.DeleteAsync($"/v1/flows/{flow}")).Expect(HttpStatusCode.NoContent);
        await (await _admin.GetAsync($"/v1/flows/{flow}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UnknownFlowIsNotFoundForGetStartStatsAndDelete()
    {
        var id = TestIds.New("nothing");
        await (await _admin.GetAsync($"/v1/flows/{id}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await _admin.Post($"/v1/flows/{id}/start")).ExpectProblem(HttpStatusCode.NotFound);
        await (await _admin.GetAsync($"/v1/flows/{id}/stats")).ExpectProblem(HttpStatusCode.NotFound);
        await (await _admin.GetAsync($"/v1/flows/{id}/participants")).ExpectProblem(HttpStatusCode.NotFound);
        await (await _admin.DeleteAsync($"/v1/flows/{id}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutUnknownFlowIsNotFound()
    {
        var body = HttpKit.SendWaitSend("Nowhere", await _admin.EmailContent(), await _admin.SmsContent());
        await (await _admin.PutJson($"/v1/flows/{TestIds.New("nothing")}", body)).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ListFiltersByStatus()
    {
        var marker = TestIds.New("status-filter");
        var draft = await _admin.Flow(name: marker + " draft");
        var running = await _admin.Flow(start: true, name: marker + " running");

        var list = await (await _admin.GetAsync($"/v1/flows?status=running&search={marker}")).Expect(HttpStatusCode.OK);
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal(running, item.Str("id"));
        Assert.Equal("running", item.Str("status"));
        Assert.NotEqual(draft, item.Str("id"));
    }

    [Fact]
    public async Task ListSearchesByName()
    {
        var marker = TestIds.New("search");
        var flow = await _admin.Flow(name: "Spring campaign " + marker);
        await _admin.Flow(name: "Something else");

        var list = await (await _admin.GetAsync($"/v1/flows?search={marker.ToUpperInvariant()}")).Expect(HttpStatusCode.OK);
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal(flow, item.Str("id"));
        Assert.Equal("Spring campaign " + marker, item.Str("name"));
        Assert.Equal(1, item.GetProperty("version").GetInt32());
        Assert.Equal("draft", item.Str("status"));
    }

    [Fact]
    public async Task ListPagesWithACursor()
    {
        var marker = TestIds.New("paging");
        var ids = new HashSet<string>();
        for (var i = 0; i < 3; i++) ids.Add(await _admin.Flow(name: $"{marker} {i}"));

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await _admin.GetAsync($"/v1/flows?search={marker}&limit=2" + (cursor is null ? "" : $"&cursor={cursor}"))).Expect(HttpStatusCode.OK);
            Assert.True(page.GetProperty("items").GetArrayLength() <= 2);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.Str("id")!));
            cursor = page.Str("nextCursor");
        }
        while (cursor is not null && seen.Count < 10);
        Assert.Equal(ids.Order(), seen.Order());
    }

    [Theory]
    [InlineData("status=finished", "status")]
    [InlineData("limit=0", "limit")]
    [InlineData("cursor=@@@@", "cursor")]
    public async Task ListRejectsBadQueries(string query, string parameter)
    {
        await (await _admin.GetAsync($"/v1/flows?{query}")).ExpectInvalid(parameter);
    }

    [Fact]
    public async Task ListItemCarriesCountsAndSuccessRate()
    {
        var flow = await _admin.Flow(start: true);
        var list = await (await _admin.GetAsync($"/v1/flows?search={flow}")).Expect(HttpStatusCode.OK);
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal(0, item.GetProperty("enrolled").GetInt64());
        Assert.Equal(0, item.GetProperty("active").GetInt64());
        Assert.Equal(0, item.GetProperty("successRate").GetDouble());
        Assert.Equal(JsonValueKind.String, item.GetProperty("updatedAt").ValueKind);
    }
}
