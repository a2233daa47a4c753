using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary>Static segments: put, get with count, adding and removing members, validation and roles (filter segments: see Segments/).</summary>
[Collection(ApiCollection.Name)]
public sealed class SegmentsTests(ApiFixture api)
{
    private readonly HttpClient _admin = api.Client();

    private async Task<string> Segment(params string[] contactIds)
    {
        var id = TestIds.New("segment");
        var segment = await (await _admin.PutAsJsonAsync($"/v1/segments/{id}", new { name = "Segment " + id, contactIds })).Expect(HttpStatusCode.OK);
        Assert.Equal(contactIds.Distinct().Count(), segment.GetProperty("count").GetInt64());
        return id;
    }

    private async Task<JsonElement> Get(string segmentId) => await (await _admin.GetAsync($"/v1/segments/{segmentId}")).Expect(HttpStatusCode.OK);

    [Fact]
    public async Task PutStaticListAnswersWithItsCount()
    {
        var (one, two) = (await _admin.Contact(), await _admin.Contact());
        var id = TestIds.New("segment");

        var segment = await (await _admin.PutJson($"/v1/segments/{id}", $$"""{"name": "Trade fair 2026", "contactIds": ["{{one}}", "{{two}}"]}""")).Expect(HttpStatusCode.OK);

        Assert.Equal(id, segment.Str("id"));
        Assert.Equal("Trade fair 2026", segment.Str("name"));
        Assert.Equal(2, segment.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task GetAnswersWithNameAndCount()
    {
        var id = await Segment(await _admin.Contact(), await _admin.Contact(), await _admin.Contact());

        var segment = await Get(id);

        Assert.Equal(id, segment.Str("id"));
        Assert.Equal("Segment " + id, segment.Str("name"));
        Assert.Equal(3, segment.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task EmptyStaticListIsAllowed()
    {
        var id = await Segment();
        Assert.Equal(0, (await Get(id)).GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task PutAgainReplacesTheList()
    {
        var (one, two, three) = (await _admin.Contact(), await _admin.Contact(), await _admin.Contact());
        var id = await Segment(one, two);

        var replaced = await (await _admin.PutJson($"/v1/segments/{id}", $$"""{"name": "Renamed", "contactIds": ["{{three}}"]}""")).Expect(HttpStatusCode.OK);

        Assert.Equal(1, replaced.GetProperty("count").GetInt64());
        var segment = await Get(id);
        Assert.Equal("Renamed", segment.Str("name"));
        Assert.Equal(1, segment.GetProperty("count").GetInt64());
        // one is no longer a member: removing it is a 404, removing three works.
        await (await _admin.DeleteAsync($"/v1/segments/{id}/members/{one}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await _admin.DeleteAsync($"/v1/segments/{id}/members/{three}")).Expect(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task AddingMembersCountsOnlyTheNewOnes()
    {
        var (one, two, three) = (await _admin.Contact(), await _admin.Contact(), await _admin.Contact());
        var id = await Segment(one);

        var result = await (await _admin.PostJson($"/v1/segments/{id}/members", $$"""{"contactIds": ["{{one}}", "{{two}}", "{{three}}", "{{two}}"]}""")).Expect(HttpStatusCode.OK);

        Assert.Equal(2, result.GetProperty("added").GetInt32());
        Assert.Equal(3, (await Get(id)).GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task AddingAnExistingMemberAddsNothing()
    {
        var one = await _admin.Contact();
        var id = await Segment(one);

        var result = await (await _admin.PostJson($"/v1/segments/{id}/members", $$"""{"contactIds": ["{{one}}"]}""")).Expect(HttpStatusCode.OK);

        Assert.Equal(0, result.GetProperty("added").GetInt32());
        Assert.Equal(1, (await Get(id)).GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task RemovingAMemberLowersTheCount()
    {
        var (one, two) = (await _admin.Contact(), await _admin.Contact());
        var id = await Segment(one, two);

        var response = await _admin.DeleteAsync($"/v1/segments/{id}/members/{one}");

        await response.Expect(HttpStatusCode.NoContent);
        Assert.Equal(1, (await Get(id)).GetProperty("count").GetInt64());
        await (await _admin.DeleteAsync($"/v1/segments/{id}/members/{one}")).ExpectProblem(HttpStatusCode.NotFound);
        Assert.Equal(1, (await Get(id)).GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task RemovingAContactThatIsNotAMemberIsNotFound()
    {
        var id = await Segment(await _admin.Contact());
        await (await _admin.DeleteAsync($"/v1/segments/{id}/members/{TestIds.New("nobody")}")).ExpectProblem(HttpStatusCode.NotFound);
        Assert.Equal(1, (await Get(id)).GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task UnknownSegmentIsNotFound()
    {
        var id = TestIds.New("segment");
        await (await _admin.GetAsync($"/v1/segments/{id}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await _admin.PostJson($"/v1/segments/{id}/members", $$"""{"contactIds": ["{{await _admin.Contact()}}"]}""")).ExpectProblem(HttpStatusCode.NotFound);
        await (await _admin.DeleteAsync($"/v1/segments/{id}/members/{TestIds.New("nobody")}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await _admin.GetAsync($"/v1/segments/{id}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    // ---- validation ----

    [Theory]
    [InlineData("""{"contactIds": []}""")]
    [InlineData("""{"name": "", "contactIds": []}""")]
    [InlineData("""{"name": 7, "contactIds": []}""")]
    [InlineData("""{"name": null, "contactIds": []}""")]
    public async Task NameIsRequired(string body)
    {
        var id = TestIds.New("segment");
        await (await _admin.PutJson($"/v1/segments/{id}", body)).ExpectInvalid("$.name");
        await (await _admin.GetAsync($"/v1/segments/{id}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task NameOfMoreThanTwoHundredCharactersIsRejected()
    {
        var id = TestIds.New("segment");
        await (await _admin.PutAsJsonAsync($"/v1/segments/{id}", new { name = new string('n', 201), contactIds = Array.Empty<string>() })).ExpectInvalid("$.name");
    }

    [Theory]
    [InlineData("""{"name": "List"}""", "$.contactIds")]
    [InlineData("""{"name": "List", "contactIds": "a,b"}""", "$.contactIds")]
    [InlineData("""{"name": "List", "contactIds": ["ok-1", "has space"]}""", "$.contactIds[1]")]
    [InlineData("""{"name": "List", "contactIds": ["ok-1", 7]}""", "$.contactIds[1]")]
    [InlineData("""{"name": "List", "contactIds": [""]}""", "$.contactIds[0]")]
    [InlineData("""{"name": "List", "contactIds": ["a/b"]}""", "$.contactIds[0]")]
    public async Task InvalidContactIdsAreRejected(string body, string path)
    {
        var id = TestIds.New("segment");
        await (await _admin.PutJson($"/v1/segments/{id}", body)).ExpectInvalid(path);
        await (await _admin.GetAsync($"/v1/segments/{id}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"contactIds": []}""", "$.contactIds")]
    [InlineData("""{"contactIds": "x"}""", "$.contactIds")]
    [InlineData("""{"contactIds": ["{contact}", "has space"]}""", "$.contactIds[1]")]
    public async Task InvalidMembersAreRejectedAndNothingIsAdded(string body, string path)
    {
        var contact = await _admin.Contact();
        var id = await Segment(await _admin.Contact());

        await (await _admin.PostJson($"/v1/segments/{id}/members", body.Replace("{contact}", contact, StringComparison.Ordinal))).ExpectInvalid(path);

        Assert.Equal(1, (await Get(id)).GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task MalformedBodyIsRejected()
    {
        var id = TestIds.New("segment");
        await (await _admin.PutJson($"/v1/segments/{id}", """{"name": "List", "contactIds": [""")).ExpectInvalid();
        await (await _admin.PutJson($"/v1/segments/{id}", """["a", "b"]""")).ExpectInvalid("$");
        await (await _admin.GetAsync($"/v1/segments/{id}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task InvalidSegmentIdIsRejected()
    {
        await (await _admin.GetAsync("/v1/segments/has%20space")).ExpectInvalid("id");
    }

    // ---- roles ----

    [Fact]
    public async Task EditorMayReadASegmentButNotChangeIt()
    {
        var editor = api.Client(ApiFixture.EditorKey);
        var (one, two) = (await _admin.Contact(), await _admin.Contact());
        var id = await Segment(one);

        var segment = await (await editor.GetAsync($"/v1/segments/{id}")).Expect(HttpStatusCode.OK);
        Assert.Equal(1, segment.GetProperty("count").GetInt64());

        await (await editor.PutJson($"/v1/segments/{id}", $$"""{"name": "Editor's", "contactIds": ["{{two}}"]}""")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await editor.PostJson($"/v1/segments/{id}/members", $$"""{"contactIds": ["{{two}}"]}""")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await editor.DeleteAsync($"/v1/segments/{id}/members/{one}")).ExpectProblem(HttpStatusCode.Forbidden);
        var unchanged = await Get(id);
        Assert.Equal("Segment " + id, unchanged.Str("name"));
        Assert.Equal(1, unchanged.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task EditorMayNotCreateASegment()
    {
        var id = TestIds.New("segment");
        await (await api.Client(ApiFixture.EditorKey).PutJson($"/v1/segments/{id}", """{"name": "Mine", "contactIds": []}""")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await _admin.GetAsync($"/v1/segments/{id}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task IngestMayNotReadOrWriteSegments()
    {
        var ingest = api.Client(ApiFixture.IngestKey);
        var id = await Segment(await _admin.Contact());
        await (await ingest.GetAsync($"/v1/segments/{id}")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await ingest.PostJson($"/v1/segments/{id}/members", $$"""{"contactIds": ["{{await _admin.Contact()}}"]}""")).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal(1, (await Get(id)).GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task SegmentsNeedAKey()
    {
        var id = await Segment(await _admin.Contact());
        var anonymous = api.Client(null);
        await (await anonymous.GetAsync($"/v1/segments/{id}")).ExpectProblem(HttpStatusCode.Unauthorized);
        await (await anonymous.PutJson($"/v1/segments/{id}", """{"name": "x", "contactIds": []}""")).ExpectProblem(HttpStatusCode.Unauthorized);
        Assert.Equal(1, (await Get(id)).GetProperty("count").GetInt64());
    }
}
