using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary>Flows that segments start: every member when the flow starts, and each contact added to the list while it runs.</summary>
[Collection(ApiCollection.Name)]
public sealed class SegmentTriggeredFlowTests(ApiFixture api)
{
    private readonly HttpClient _admin = api.Client();

    private async Task<string> Segment(params string[] contactIds)
    {
        var id = TestIds.New("segment");
        await (await _admin.PutAsJsonAsync($"/v1/segments/{id}", new { name = "Segment " + id, contactIds })).Expect(HttpStatusCode.OK);
        return id;
    }

    /// <summary>sendEmail → wait P1D → end, started by the members of <paramref name="segmentIds"/>.</summary>
    private Task<string> SegmentFlow(bool start, params string[] segmentIds) => SegmentFlowWith(start, "P1D", "\"never\"", segmentIds);

    /// <summary>sendEmail → wait <paramref name="wait"/> → end, or sendEmail → end without a wait.</summary>
    private async Task<string> SegmentFlowWith(bool start, string? wait, string reentry, params string[] segmentIds)
    {
        var email = await _admin.EmailContent();
        var steps = wait is null
            ? $$"""{"id": "hello", "type": "sendEmail", "contentId": "{{email}}", "next": "done"},"""
            : $$"""
              {"id": "hello", "type": "sendEmail", "contentId": "{{email}}", "next": "pause"},
              {"id": "pause", "type": "wait", "duration": "{{wait}}", "next": "done"},
              """;
        return await _admin.CreateFlow($$"""
            {
              "name": "Segment flow {{TestIds.New("seg")}}",
              "trigger": {"type": "segment", "segmentIds": {{JsonSerializer.Serialize(segmentIds)}}},
              "reentry": {{reentry}},
              "startStepId": "hello",
              "steps": [
                {{steps}}
                {"id": "done", "type": "end"}
              ]
            }
            """, start);
    }

    private async Task<JsonElement> Stats(string flow) => await (await _admin.GetAsync($"/v1/flows/{flow}/stats")).Expect(HttpStatusCode.OK);

    private static List<string> ContactIds(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(i => i.Str("contactId")!).Order()];

    [Fact]
    public async Task StartingEnrollsEveryMemberAndAContactAddedLaterIsEnrolledToo()
    {
        var (one, two, three) = (await _admin.Contact(), await _admin.Contact(), await _admin.Contact());
        var segment = await Segment(one, two);

        var flow = await SegmentFlow(start: true, segment);

        var page = await _admin.EventuallyGet($"/v1/flows/{flow}/participants", p => p.GetProperty("items").GetArrayLength() == 2, "both members are enrolled");
        Assert.Equal(new[] { one, two }.Order(), ContactIds(page));
        Assert.All(page.GetProperty("items").EnumerateArray(), i => Assert.Equal("waiting", i.Str("status")));

        var added = await (await _admin.PostJson($"/v1/segments/{segment}/members", $$"""{"contactIds": ["{{three}}"]}""")).Expect(HttpStatusCode.OK);
        Assert.Equal(1, added.GetProperty("added").GetInt32());

        page = await _admin.EventuallyGet($"/v1/flows/{flow}/participants", p => p.GetProperty("items").GetArrayLength() == 3, "the new member is enrolled");
        Assert.Equal(new[] { one, two, three }.Order(), ContactIds(page));
        var participant = await (await _admin.GetAsync($"/v1/flows/{flow}/participants/{three}")).Expect(HttpStatusCode.OK);
        Assert.Equal("waiting", participant.Str("status"));
        Assert.Equal("pause", participant.Str("currentStepId"));
        var stats = await _admin.EventuallyStats(flow, s => s.Long("enrolled") == 3, "stats count three enrolled");
        Assert.Equal(3, stats.Long("waiting"));
    }

    [Fact]
    public async Task MemberAddedToADraftFlowsSegmentIsEnrolledWhenTheFlowStarts()
    {
        var (one, two) = (await _admin.Contact(), await _admin.Contact());
        var segment = await Segment(one);
        var flow = await SegmentFlow(start: false, segment);
        await (await _admin.PostJson($"/v1/segments/{segment}/members", $$"""{"contactIds": ["{{two}}"]}""")).Expect(HttpStatusCode.OK);
        await HttpKit.Stays(() => _admin.NotInFlow(flow, two), TimeSpan.FromMilliseconds(300), "a draft enrolls nobody");

        await (await _admin.Post($"/v1/flows/{flow}/start")).Expect(HttpStatusCode.OK);

        var page = await _admin.EventuallyGet($"/v1/flows/{flow}/participants", p => p.GetProperty("items").GetArrayLength() == 2, "both members are enrolled");
        Assert.Equal(new[] { one, two }.Order(), ContactIds(page));
    }

    [Fact]
    public async Task ContactInSeveralSegmentsIsEnrolledOnce()
    {
        var (both, onlyFirst, onlySecond) = (await _admin.Contact(), await _admin.Contact(), await _admin.Contact());
        var first = await Segment(both, onlyFirst);
        var second = await Segment(both, onlySecond);

        var flow = await SegmentFlow(start: true, first, second);

        var page = await _admin.EventuallyGet($"/v1/flows/{flow}/participants", p => p.GetProperty("items").GetArrayLength() == 3, "the members of both segments are enrolled");
        Assert.Equal(new[] { both, onlyFirst, onlySecond }.Order(), ContactIds(page));
        var stats = await _admin.EventuallyStats(flow, s => s.Long("enrolled") == 3 && s.GetProperty("sends").Long("sent") == 3, "three enrolled");
        Assert.Equal(3, stats.GetProperty("steps").GetProperty("hello").Long("entered"));
        Assert.Equal(3, stats.GetProperty("sends").Long("sent"));
    }

    [Fact]
    public async Task AddingAContactToAnotherSegmentDoesNotEnroll()
    {
        var (member, outsider) = (await _admin.Contact(), await _admin.Contact());
        var segment = await Segment(member);
        var other = await Segment();
        var flow = await SegmentFlow(start: true, segment);
        await _admin.EventuallyParticipant(flow, member, p => p.Str("status") == "waiting", "the member is enrolled");

        await (await _admin.PostJson($"/v1/segments/{other}/members", $$"""{"contactIds": ["{{outsider}}"]}""")).Expect(HttpStatusCode.OK);

        await HttpKit.Stays(() => _admin.NotInFlow(flow, outsider), TimeSpan.FromMilliseconds(500), "a contact added to another segment is not enrolled");
    }

    [Fact]
    public async Task PuttingTheListAgainEnrollsItsNewMembers()
    {
        var (one, two) = (await _admin.Contact(), await _admin.Contact());
        var segment = await Segment(one);
        var flow = await SegmentFlow(start: true, segment);
        await _admin.EventuallyParticipant(flow, one, p => p.Str("status") == "waiting", "the first member is enrolled");

        var replaced = await (await _admin.PutAsJsonAsync($"/v1/segments/{segment}", new { name = "Bigger", contactIds = new[] { one, two } })).Expect(HttpStatusCode.OK);
        Assert.Equal(2, replaced.GetProperty("count").GetInt64());

        await _admin.EventuallyParticipant(flow, two, p => p.Str("status") == "waiting", "the new member is enrolled");
        await _admin.EventuallyStats(flow, s => s.Long("enrolled") == 2, "two enrolled, the first once");
    }

    [Fact]
    public async Task MemberAddedWhileThePausedFlowWaitsIsEnrolledAtTheResume()
    {
        var (one, two) = (await _admin.Contact(), await _admin.Contact());
        var segment = await Segment(one);
        var flow = await SegmentFlow(start: true, segment);
        await _admin.EventuallyParticipant(flow, one, p => p.Str("status") == "waiting", "the first member is enrolled");
        await (await _admin.Post($"/v1/flows/{flow}/pause")).Expect(HttpStatusCode.OK);

        await (await _admin.PostJson($"/v1/segments/{segment}/members", $$"""{"contactIds": ["{{two}}"]}""")).Expect(HttpStatusCode.OK);
        await HttpKit.Stays(() => _admin.NotInFlow(flow, two), TimeSpan.FromMilliseconds(300), "a paused flow enrolls nobody");

        await (await _admin.Post($"/v1/flows/{flow}/start")).Expect(HttpStatusCode.OK);

        await _admin.EventuallyParticipant(flow, two, p => p.Str("status") == "waiting", "the member added during the pause is enrolled at the resume");
        var stats = await _admin.EventuallyStats(flow, s => s.Long("enrolled") == 2 && s.GetProperty("sends").Long("sent") == 2, "two enrolled");
        Assert.Equal(2, stats.GetProperty("sends").Long("sent"));
    }

    /// <summary>
    /// API.md: a segment flow enrolls every member when it starts, and while it runs each contact that enters a
    /// segment. A resume is neither: members whose journey is over do not start it again, even with reentry "always".
    /// </summary>
    [Fact]
    public async Task ResumingDoesNotReenrollMembersWhoseJourneyIsOver()
    {
        var member = await _admin.Contact();
        var segment = await Segment(member);
        var flow = await SegmentFlowWith(start: true, wait: null, reentry: "\"always\"", segment);
        await _admin.EventuallyParticipant(flow, member, p => p.Str("status") == "completed", "the member's journey completes");
        await _admin.EventuallyStats(flow, s => s.Long("enrolled") == 1 && s.Long("completed") == 1, "one journey");

        await (await _admin.Post($"/v1/flows/{flow}/pause")).Expect(HttpStatusCode.OK);
        await (await _admin.Post($"/v1/flows/{flow}/start")).Expect(HttpStatusCode.OK);

        await Task.Delay(500);
        var stats = await Stats(flow);
        var participant = await (await _admin.GetAsync($"/v1/flows/{flow}/participants/{member}")).Expect(HttpStatusCode.OK);
        Assert.True(stats.Long("enrolled") == 1 && stats.GetProperty("sends").Long("sent") == 1,
            $"the resume started a second journey; stats: {stats}; participant: {participant}");
    }

    /// <summary>API.md: "a contact in several segments is enrolled once", also when its journey is over at once and reentry is "always".</summary>
    [Fact]
    public async Task ContactInSeveralSegmentsIsEnrolledOnceAtTheStartAlsoWhenReentryIsAlways()
    {
        var both = await _admin.Contact();
        var (first, second) = (await Segment(both), await Segment(both));

        var flow = await SegmentFlowWith(start: true, wait: null, reentry: "\"always\"", first, second);

        await _admin.EventuallyParticipant(flow, both, p => p.Str("status") == "completed", "the contact's journey completes");
        await Task.Delay(500);
        var stats = await Stats(flow);
        Assert.True(stats.Long("enrolled") == 1 && stats.GetProperty("sends").Long("sent") == 1,
            $"the contact in two segments was enrolled more than once; stats: {stats}");
    }
}
