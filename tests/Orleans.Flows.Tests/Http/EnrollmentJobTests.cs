using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary><c>POST /v1/flows/{id}/enrollments</c>: a segment enrolled as a background job whose progress a client watches.</summary>
[Collection(ApiCollection.Name)]
public sealed class EnrollmentJobTests(ApiFixture api)
{
    private readonly HttpClient _admin = api.Client();

    /// <summary>Contacts in one batch: <paramref name="customers"/> customers and <paramref name="others"/> who are not.</summary>
    private async Task<string[]> Contacts(int customers, int others)
    {
        var prefix = TestIds.New("job");
        var contacts = Enumerable.Range(0, customers + others).Select(i => new
        {
            id = $"{prefix}-{i:D5}",
            email = $"{prefix}-{i}@example.com",
            attributes = new { category = i < customers ? "customer" : "prospect" },
        }).ToArray();
        var result = await (await _admin.PostAsJsonAsync("/v1/contacts/batch", new { contacts })).Expect(HttpStatusCode.OK);
        Assert.Equal(contacts.Length, result.GetProperty("upserted").GetInt32());
        return [.. contacts.Select(c => c.id)];
    }

    private async Task<string> Segment(string[] contactIds)
    {
        var id = TestIds.New("segment");
        await (await _admin.PutAsJsonAsync($"/v1/segments/{id}", new { name = "Job segment", contactIds })).Expect(HttpStatusCode.OK);
        return id;
    }

    private Task<string> CustomerFlow(string reentry = "\"never\"") => _admin.Flow(start: true,
        extra: $$"""
              "filter": {"attribute": "attributes.category", "op": "eq", "value": "customer"},
              "reentry": {{reentry}},
            """);

    private Task<JsonElement> Finished(string flowId, string jobId) =>
        _admin.EventuallyGet($"/v1/flows/{flowId}/enrollments/{jobId}", j => j.Str("status") != "running", "the job to finish");

    [Fact]
    public async Task ASegmentIsEnrolledInTheBackgroundWithProgressAndReasonsForThoseSkipped()
    {
        var contacts = await Contacts(customers: 1_150, others: 100);
        var segment = await Segment(contacts);
        var flow = await CustomerFlow();
        await _admin.Enroll(flow, contacts[0]);

        var response = await _admin.PostAsJsonAsync($"/v1/flows/{flow}/enrollments", new { segmentId = segment });
        var accepted = await response.Expect(HttpStatusCode.Accepted);
        var jobId = accepted.Str("jobId");
        Assert.False(string.IsNullOrEmpty(jobId));
        Assert.Equal($"/v1/flows/{flow}/enrollments/{jobId}", response.Headers.Location?.OriginalString);

        var job = await Finished(flow, jobId!);
        Assert.Equal("completed", job.Str("status"));
        Assert.Equal(1_250, job.Long("total"));
        Assert.Equal(1_250, job.Long("processed"));
        Assert.Equal(1_149, job.Long("enrolled"));
        Assert.Equal(101, job.Long("skipped"));
        Assert.Equal(100, job.GetProperty("skippedByReason").Long("filtered_out"));
        Assert.Equal(1, job.GetProperty("skippedByReason").Long("already_enrolled"));

        var stats = await _admin.EventuallyStats(flow, s => s.Long("enrolled") == 1_150 && s.GetProperty("sends").Long("sent") == 1_150, "every customer enrolled once");
        Assert.Equal(1_150, stats.Long("waiting"));
        Assert.Equal(1_150, stats.GetProperty("sends").Long("sent"));
        var outsider = await (await _admin.GetAsync($"/v1/flows/{flow}/participants/{contacts[^1]}")).ExpectProblem(HttpStatusCode.NotFound);
        Assert.Equal(404, outsider.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task ARetriedRequestWithTheSameJobIdStartsNothingNew()
    {
        var contacts = await Contacts(customers: 30, others: 0);
        var segment = await Segment(contacts);
        var flow = await CustomerFlow(reentry: "\"always\"");
        var jobId = TestIds.New("job");

        await (await _admin.PostAsJsonAsync($"/v1/flows/{flow}/enrollments", new { segmentId = segment, jobId })).Expect(HttpStatusCode.Accepted);
        await Finished(flow, jobId);
        var again = await (await _admin.PostAsJsonAsync($"/v1/flows/{flow}/enrollments", new { segmentId = segment, jobId })).Expect(HttpStatusCode.Accepted);
        Assert.Equal(jobId, again.Str("jobId"));
        Assert.Equal("completed", again.Str("status"));

        var stats = await _admin.EventuallyStats(flow, s => s.Long("enrolled") == 30 && s.GetProperty("sends").Long("sent") == 30, "30 enrolled");
        await HttpKit.Stays(async () => (await _admin.GetFromJsonAsync<JsonElement>($"/v1/flows/{flow}/stats")).Long("enrolled") == 30,
            TimeSpan.FromSeconds(1), "still 30 enrolled");
        Assert.Equal(30, stats.GetProperty("sends").Long("sent"));

        var otherSegment = await Segment(contacts[..3]);
        var taken = await (await _admin.PostAsJsonAsync($"/v1/flows/{flow}/enrollments", new { segmentId = otherSegment, jobId })).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Contains(jobId, taken.Str("detail"));
    }

    [Fact]
    public async Task BadRequestsAreRefusedWithProblems()
    {
        var contacts = await Contacts(customers: 2, others: 0);
        var segment = await Segment(contacts);
        var running = await CustomerFlow();
        var draft = await _admin.Flow(start: false);

        await (await _admin.PostAsJsonAsync($"/v1/flows/{TestIds.New("nope")}/enrollments", new { segmentId = segment })).ExpectProblem(HttpStatusCode.NotFound);
        await (await _admin.PostAsJsonAsync($"/v1/flows/{draft}/enrollments", new { segmentId = segment })).ExpectProblem(HttpStatusCode.Conflict);
        await (await _admin.PostAsJsonAsync($"/v1/flows/{running}/enrollments", new { segmentId = TestIds.New("missing") })).ExpectInvalid("$.segmentId");
        await (await _admin.PostJson($"/v1/flows/{running}/enrollments", "{}")).ExpectInvalid("$.segmentId");
        await (await _admin.PostJson($"/v1/flows/{running}/enrollments", """{"segmentId": "no spaces"}""")).ExpectInvalid("$.segmentId");
        await (await _admin.PostJson($"/v1/flows/{running}/enrollments", """{"segmentId": 5}""")).ExpectInvalid("$.segmentId");
        await (await _admin.PostJson($"/v1/flows/{running}/enrollments", "[")).ExpectInvalid();
        await (await _admin.GetAsync($"/v1/flows/{running}/enrollments/{TestIds.New("unknown")}")).ExpectProblem(HttpStatusCode.NotFound);

        var editor = api.Client(ApiFixture.EditorKey);
        await (await editor.PostAsJsonAsync($"/v1/flows/{running}/enrollments", new { segmentId = segment })).ExpectProblem(HttpStatusCode.Forbidden);
        var stats = await _admin.GetFromJsonAsync<JsonElement>($"/v1/flows/{running}/stats");
        Assert.Equal(0, stats.Long("enrolled"));
    }
}
