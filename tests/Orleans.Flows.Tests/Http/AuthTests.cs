using System.Net;
using System.Net.Http.Json;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

[Collection(ApiCollection.Name)]
public sealed class AuthTests(ApiFixture api)
{
    private readonly HttpClient _admin = api.Client(ApiFixture.AdminKey);
    private readonly HttpClient _editor = api.Client(ApiFixture.EditorKey);
    private readonly HttpClient _ingest = api.Client(ApiFixture.IngestKey);

    [Fact]
    public async Task NoKeyIsUnauthorizedWithAProblem()
    {
        var problem = await (await api.Client(null).GetAsync("/v1/flows")).ExpectProblem(HttpStatusCode.Unauthorized);
        Assert.Contains("X-Api-Key", problem.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownKeyIsUnauthorized()
    {
        await (await api.Client("no-such-key").GetAsync("/v1/flows")).ExpectProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task UnknownKeyIsUnauthorizedEvenForAWrite()
    {
        await (await api.Client("no-such-key").PutJson($"/v1/contacts/{TestIds.New("c")}", "{}")).ExpectProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task EditorMayReadFlowsStatsParticipantsAndContent()
    {
        var flow = await _admin.Flow();
        await (await _editor.GetAsync("/v1/flows")).Expect(HttpStatusCode.OK);
        await (await _editor.GetAsync($"/v1/flows/{flow}")).Expect(HttpStatusCode.OK);
        await (await _editor.GetAsync($"/v1/flows/{flow}/stats")).Expect(HttpStatusCode.OK);
        await (await _editor.GetAsync($"/v1/flows/{flow}/participants")).Expect(HttpStatusCode.OK);
        await (await _editor.GetAsync("/v1/content")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task EditorMayCreateAndEditContent()
    {
        var id = TestIds.New("content");
        await (await _editor.PutJson($"/v1/content/{id}", """{"channel": "sms", "name": "One", "text": "Hi"}""")).Expect(HttpStatusCode.OK);
        var edited = await (await _editor.PutJson($"/v1/content/{id}", """{"channel": "sms", "name": "Two", "text": "Hello"}""")).Expect(HttpStatusCode.OK);
        Assert.Equal("Two", edited.Str("name"));
        await (await _editor.GetAsync($"/v1/content/{id}")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task EditorMayNotDeleteContent()
    {
        var id = await _admin.SmsContent();
        var problem = await (await _editor.DeleteAsync($"/v1/content/{id}")).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal(403, problem.GetProperty("status").GetInt32());
        await (await _editor.GetAsync($"/v1/content/{id}")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task EditorMayNotCreateAFlow()
    {
        var body = HttpKit.SendWaitSend("Editor's flow", await _admin.EmailContent(), await _admin.SmsContent());
        await (await _editor.PostJson("/v1/flows", body)).ExpectProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task EditorMayNotEditAFlow()
    {
        var flow = await _admin.Flow();
        var definition = await (await _admin.GetAsync($"/v1/flows/{flow}")).Expect(HttpStatusCode.OK);
        await (await _editor.PutAsJsonAsync($"/v1/flows/{flow}", definition)).ExpectProblem(HttpStatusCode.Forbidden);
        var after = await (await _admin.GetAsync($"/v1/flows/{flow}")).Expect(HttpStatusCode.OK);
        Assert.Equal(1, after.GetProperty("version").GetInt32());
    }

    [Theory]
    [InlineData("start")]
    [InlineData("pause")]
    [InlineData("end")]
    public async Task EditorMayNotRunPauseOrEndAFlow(string command)
    {
        var flow = await _admin.Flow(start: command != "start");
        await (await _editor.Post($"/v1/flows/{flow}/{command}")).ExpectProblem(HttpStatusCode.Forbidden);
        var after = await (await _admin.GetAsync($"/v1/flows/{flow}")).Expect(HttpStatusCode.OK);
        Assert.Equal(command == "start" ? "draft" : "running", after.Str("status"));
    }

    [Fact]
    public async Task EditorMayNotEnrollContacts()
    {
        var flow = await _admin.Flow(start: true);
        var contact = await _admin.Contact();
        await (await _editor.PostAsJsonAsync($"/v1/flows/{flow}/participants", new { contactIds = new[] { contact } })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await _admin.GetAsync($"/v1/flows/{flow}/participants/{contact}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task IngestMayWriteContacts()
    {
        var id = TestIds.New("contact");
        await (await _ingest.PutJson($"/v1/contacts/{id}", """{"email": "ingest@example.com"}""")).Expect(HttpStatusCode.OK);
        var batch = await (await _ingest.PostJson("/v1/contacts/batch", $$"""{"contacts": [{"id": "{{TestIds.New("contact")}}"}]}""")).Expect(HttpStatusCode.OK);
        Assert.Equal(1, batch.GetProperty("upserted").GetInt32());
    }

    [Fact]
    public async Task IngestMayNotReadFlows()
    {
        await (await _ingest.GetAsync("/v1/flows")).ExpectProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task IngestMayNotWriteContent()
    {
        var id = TestIds.New("content");
        await (await _ingest.PutJson($"/v1/content/{id}", """{"channel": "sms", "name": "x", "text": "Hi"}""")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await _admin.GetAsync($"/v1/content/{id}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AdminMayDoEverything()
    {
        var contact = await _admin.Contact();
        await (await _admin.PostJson("/v1/contacts/batch", $$"""{"contacts": [{"id": "{{TestIds.New("contact")}}"}]}""")).Expect(HttpStatusCode.OK);
        await (await _admin.GetAsync($"/v1/contacts/{contact}")).Expect(HttpStatusCode.OK);
        var flow = await _admin.Flow();
        var definition = await (await _admin.GetAsync($"/v1/flows/{flow}")).Expect(HttpStatusCode.OK);
        await (await _admin.PutAsJsonAsync($"/v1/flows/{flow}", definition)).Expect(HttpStatusCode.OK);
        await (await _admin.Post($"/v1/flows/{flow}/start")).Expect(HttpStatusCode.OK);
        await _admin.Enroll(flow, contact);
        await (await _admin.GetAsync($"/v1/flows/{flow}/participants")).Expect(HttpStatusCode.OK);
        await (await _admin.GetAsync($"/v1/flows/{flow}/stats")).Expect(HttpStatusCode.OK);
        await (await _admin.Post($"/v1/flows/{flow}/pause")).Expect(HttpStatusCode.OK);
        await (await _admin.Post($"/v1/flows/{flow}/end")).Expect(HttpStatusCode.OK);
        await (await _admin.DeleteAsync($"/v1/flows/{flow}")).Expect(HttpStatusCode.NoContent);
        var content = await _admin.SmsContent();
        await (await _admin.DeleteAsync($"/v1/content/{content}")).Expect(HttpStatusCode.NoContent);
        await (await _admin.DeleteAsync($"/v1/contacts/{contact}")).Expect(HttpStatusCode.NoContent);
    }
}
