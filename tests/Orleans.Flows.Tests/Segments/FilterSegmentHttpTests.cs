using System.Net;
using System.Text.Json;
using Orleans.Flows.Tests.Http;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Segments;

/// <summary>
/// Filter segments over HTTP: defined by a condition, counted, refused with the JSON path of what is wrong, not
/// editable as a list, and starting segment-triggered flows for the contacts that match at the start and those that
/// change into the filter later. The API's contacts are shared with other tests, so each test marks its own with a
/// <c>batch</c> attribute and filters on it.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class FilterSegmentHttpTests(ApiFixture api)
{
    private readonly HttpClient _admin = api.Client();
    private readonly string _batch = TestIds.New("batch");

    /// <summary>A filter on this test's contacts and <paramref name="more"/>.</summary>
    private string InBatch(string more) => $$"""{"all": [{"attribute": "attributes.batch", "op": "eq", "value": "{{_batch}}"}, {{more}}]}""";

    private const string Pro = """{"attribute": "attributes.plan", "op": "eq", "value": "PRO"}""";

    private async Task<string> ContactAsync(string plan, string extra = "") =>
        await _admin.Contact($$"""{"email": "x@example.com", "attributes": {"batch": "{{_batch}}", "plan": "{{plan}}"} {{extra}} }""");

    private async Task UpdatePlanAsync(string contactId, string plan) =>
        await (await _admin.PutJson($"/v1/contacts/{contactId}", $$"""{"attributes": {"plan": "{{plan}}"} }""")).Expect(HttpStatusCode.OK);

    private async Task<string> FilterSegmentAsync(string filter, string name = "Pro customers")
    {
        var id = TestIds.New("segment");
        await (await _admin.PutJson($"/v1/segments/{id}", $$"""{"name": "{{name}}", "filter": {{filter}}}""")).Expect(HttpStatusCode.OK);
        return id;
    }

    private Task<JsonElement> CountUntilAsync(string segmentId, long count, string what) =>
        _admin.EventuallyGet($"/v1/segments/{segmentId}", s => s.GetProperty("count").GetInt64() == count, what);

    [Fact]
    public async Task PutFilterSegmentThenGetCountsTheContactsThatMatch()
    {
        var (one, two) = (await ContactAsync("pro"), await ContactAsync("Pro"));
        await ContactAsync("free");
        await ContactAsync("pro", extra: ""","tags": ["vip"]""");
        var id = TestIds.New("segment");

        var put = await (await _admin.PutJson($"/v1/segments/{id}", $$"""{"name": "Pro customers", "filter": {{InBatch(Pro)}}}""")).Expect(HttpStatusCode.OK);

        Assert.Equal(id, put.Str("id"));
        Assert.Equal("Pro customers", put.Str("name"));
        Assert.Equal("PRO", put.GetProperty("filter").GetProperty("all")[1].Str("value"));
        var segment = await CountUntilAsync(id, 3, "the three pro contacts are counted");
        Assert.Equal("attributes.batch", segment.GetProperty("filter").GetProperty("all")[0].Str("attribute"));

        // The count follows the contacts: one leaves the plan, one is erased, a new one joins.
        await UpdatePlanAsync(one, "free");
        await (await _admin.DeleteAsync($"/v1/contacts/{two}")).Expect(HttpStatusCode.NoContent);
        await ContactAsync("pro");
        await CountUntilAsync(id, 2, "a contact that changed plan and an erased one are no longer counted, a new one is");
    }

    [Fact]
    public async Task ASegmentSwitchesBetweenAListAndAFilter()
    {
        var (listed, matching) = (await ContactAsync("free"), await ContactAsync("pro"));
        var id = TestIds.New("segment");
        await (await _admin.PutJson($"/v1/segments/{id}", $$"""{"name": "List", "contactIds": ["{{listed}}"]}""")).Expect(HttpStatusCode.OK);

        await (await _admin.PutJson($"/v1/segments/{id}", $$"""{"name": "Filter", "filter": {{InBatch(Pro)}}}""")).Expect(HttpStatusCode.OK);
        await CountUntilAsync(id, 1, "the filter counts its one match");

        var list = await (await _admin.PutJson($"/v1/segments/{id}", $$"""{"name": "List again", "contactIds": ["{{listed}}", "{{matching}}"]}""")).Expect(HttpStatusCode.OK);
        Assert.Equal(2, list.GetProperty("count").GetInt64());
        Assert.True(list.IsAbsentOrNull("filter"), $"a static list has no filter: {list}");
        await (await _admin.DeleteAsync($"/v1/segments/{id}/members/{listed}")).Expect(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task AFilterSegmentsMembersCannotBeChangedAsAList()
    {
        var matching = await ContactAsync("pro");
        var other = await ContactAsync("free");
        var id = await FilterSegmentAsync(InBatch(Pro));
        await CountUntilAsync(id, 1, "the filter counts its one match");

        var added = await (await _admin.PostJson($"/v1/segments/{id}/members", $$"""{"contactIds": ["{{other}}"]}""")).ExpectProblem(HttpStatusCode.Conflict);
        var removed = await (await _admin.DeleteAsync($"/v1/segments/{id}/members/{matching}")).ExpectProblem(HttpStatusCode.Conflict);

        Assert.Contains("a filter segment's members are the contacts that match it", added.Str("detail"), StringComparison.Ordinal);
        Assert.Contains("a filter segment's members are the contacts that match it", removed.Str("detail"), StringComparison.Ordinal);
        var segment = await (await _admin.GetAsync($"/v1/segments/{id}")).Expect(HttpStatusCode.OK);
        Assert.Equal(1, segment.GetProperty("count").GetInt64());
    }

    public static TheoryData<string, string> BadFilters() => new()
    {
        { """{"all": [{"attribute": "email", "op": "exists"}, {"event": "email.opened"}]}""", "$.filter.all[1].event" },
        { """{"any": [{"attribute": "email", "op": "exists"}, {"not": {"event": "sale.created", "within": "P7D"}}]}""", "$.filter.any[1].not.event" },
        { """{"property": "formId", "op": "eq", "value": "demo"}""", "$.filter.property" },
        { """{"attribute": "shoeSize", "op": "eq", "value": 42}""", "$.filter.attribute" },
        { """{"all": [{"attribute": "attributes.has space", "op": "exists"}]}""", "$.filter.all[0].attribute" },
        { """{"attribute": "email", "op": "like", "value": "%@example.com"}""", "$.filter.op" },
        { """{"not": {"any": [{"attribute": "email", "op": "exists"}, {"attribute": "email", "op": "matches", "value": "x"}]}}""", "$.filter.not.any[1].op" },
        { """{"attribute": "email", "op": "eq"}""", "$.filter.value" },
        { """{"attribute": "tags", "op": "in", "value": "vip"}""", "$.filter.value" },
        { """{"all": []}""", "$.filter.all" },
        { """{"attribute": "email", "op": "exists", "event": "email.opened"}""", "$.filter" },
        { "\"customers\"", "$.filter" },
        { string.Concat(Enumerable.Repeat("""{"not": """, 17)) + """{"attribute": "email", "op": "exists"}""" + new string('}', 17), "$.filter" + string.Concat(Enumerable.Repeat(".not", 17)) },
    };

    [Theory]
    [MemberData(nameof(BadFilters))]
    public async Task ABadFilterIsRefusedWithThePathOfWhatIsWrongAndNothingIsSaved(string filter, string path)
    {
        var id = TestIds.New("segment");

        await (await _admin.PutJson($"/v1/segments/{id}", $$"""{"name": "Bad", "filter": {{filter}}}""")).ExpectInvalid(path);

        await (await _admin.GetAsync($"/v1/segments/{id}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ABadFilterLeavesTheSegmentAsItWas()
    {
        var id = await FilterSegmentAsync(InBatch(Pro), name: "Kept");

        await (await _admin.PutJson($"/v1/segments/{id}", """{"name": "Broken", "filter": {"event": "sale.created"}}""")).ExpectInvalid("$.filter.event");
        await (await _admin.PutJson($"/v1/segments/{id}", $$"""{"name": "Both", "filter": {{InBatch(Pro)}}, "contactIds": []}""")).ExpectInvalid("$.filter");

        var segment = await (await _admin.GetAsync($"/v1/segments/{id}")).Expect(HttpStatusCode.OK);
        Assert.Equal("Kept", segment.Str("name"));
        Assert.Equal("PRO", segment.GetProperty("filter").GetProperty("all")[1].Str("value"));
    }

    /// <summary>
    /// API.md: a segment flow is continuous: every member is enrolled when it starts, and while it runs every contact
    /// that enters the segment by a change (an update, or a new contact) — and no other.
    /// </summary>
    [Fact]
    public async Task ASegmentFlowOnAFilterEnrollsTheMatchesAtTheStartAndEachContactThatChangesIntoTheFilter()
    {
        var (first, second) = (await ContactAsync("pro"), await ContactAsync("pro"));
        var (upgraded, stillFree) = (await ContactAsync("free"), await ContactAsync("free"));
        var segment = await FilterSegmentAsync(InBatch(Pro));
        await CountUntilAsync(segment, 2, "two contacts match before the flow starts");
        var flow = await SegmentFlowAsync(segment);
        try
        {
            var page = await _admin.EventuallyGet($"/v1/flows/{flow}/participants", p => p.GetProperty("items").GetArrayLength() == 2, "the two matches are enrolled at the start");
            Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), ContactIds(page));

            await UpdatePlanAsync(upgraded, "pro");
            await UpdatePlanAsync(stillFree, "basic");
            await UpdatePlanAsync(first, "PRO");
            var newcomer = await ContactAsync("pro");

            await _admin.EventuallyParticipant(flow, upgraded, p => p.Str("status") == "waiting", "the contact that changed into the filter is enrolled");
            await _admin.EventuallyParticipant(flow, newcomer, p => p.Str("status") == "waiting", "a new contact that matches is enrolled");
            await HttpKit.Stays(() => _admin.NotInFlow(flow, stillFree), TimeSpan.FromMilliseconds(500), "a contact that changed but still does not match is not enrolled");
            var stats = await _admin.EventuallyStats(flow, s => s.Long("enrolled") == 4 && s.GetProperty("sends").Long("sent") == 4, "four enrolled, the member that changed within the filter once");
            Assert.Equal(4, stats.GetProperty("sends").Long("sent"));
        }
        finally
        {
            await (await _admin.Post($"/v1/flows/{flow}/end")).Expect(HttpStatusCode.OK);
        }
    }

    /// <summary>A flow's own updateContact step is a change too: it can make the contact enter another flow's filter segment.</summary>
    [Fact]
    public async Task AnUpdateByAnotherFlowThatMakesAContactMatchEnrollsIt()
    {
        var contact = await ContactAsync("free");
        var segment = await FilterSegmentAsync(InBatch(Pro));
        var segmentFlow = await SegmentFlowAsync(segment);
        try
        {
            var upgrade = await _admin.CreateFlow("""
                {
                  "name": "Upgrade",
                  "trigger": {"type": "manual"},
                  "startStepId": "upgrade",
                  "steps": [
                    {"id": "upgrade", "type": "updateContact", "setAttributes": {"plan": "pro"}, "next": "done"},
                    {"id": "done", "type": "end"}
                  ]
                }
                """);
            await HttpKit.Stays(() => _admin.NotInFlow(segmentFlow, contact), TimeSpan.FromMilliseconds(300), "a free contact is not in the pro flow");

            await _admin.Enroll(upgrade, contact);

            await _admin.EventuallyParticipant(segmentFlow, contact, p => p.Str("status") == "waiting", "the upgraded contact is enrolled into the pro flow");
        }
        finally
        {
            await (await _admin.Post($"/v1/flows/{segmentFlow}/end")).Expect(HttpStatusCode.OK);
        }
    }

    /// <summary>sendEmail → wait P1D → end, started by the members of <paramref name="segmentId"/>.</summary>
    private async Task<string> SegmentFlowAsync(string segmentId)
    {
        var email = await _admin.EmailContent();
        return await _admin.CreateFlow($$"""
            {
              "name": "Pro welcome",
              "trigger": {"type": "segment", "segmentIds": ["{{segmentId}}"]},
              "startStepId": "hello",
              "steps": [
                {"id": "hello", "type": "sendEmail", "contentId": "{{email}}", "next": "pause"},
                {"id": "pause", "type": "wait", "duration": "P1D", "next": "done"},
                {"id": "done", "type": "end"}
              ]
            }
            """);
    }

    private static List<string> ContactIds(JsonElement page) =>
        [.. page.GetProperty("items").EnumerateArray().Select(i => i.Str("contactId")!).Order(StringComparer.Ordinal)];
}
