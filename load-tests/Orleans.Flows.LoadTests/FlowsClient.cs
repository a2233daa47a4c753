using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orleans.Flows.LoadTests;

/// <summary>The counters of <c>GET /v1/flows/{id}/stats</c> the benchmark watches.</summary>
public readonly record struct FlowCounts(long Enrolled, long Active, long Waiting, long Completed, long Exited, long Failed);

/// <summary>The state of an enrollment job, <c>GET /v1/flows/{id}/enrollments/{jobId}</c>.</summary>
public readonly record struct JobProgress(string Status, long Total, long Processed, long Enrolled, long Skipped);

/// <summary>The calls of the HTTP API (shared/API.md) the benchmark makes; any unexpected answer is a <see cref="BenchmarkException"/> that shows it.</summary>
public sealed class FlowsClient(HttpClient http)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public HttpClient Http => http;

    public Task PutContentAsync(string id) =>
        SendAsync(HttpMethod.Put, $"v1/content/{id}",
            """{"channel":"email","name":"Benchmark","subject":"Hello {{ contact.firstName }}","html":"<p>Hi {{ contact.firstName }}</p>"}""",
            HttpStatusCode.OK);

    public Task PutFilterSegmentAsync(string id, string attribute, string value) =>
        SendAsync(HttpMethod.Put, $"v1/segments/{id}",
            new JsonObject { ["name"] = id, ["filter"] = new JsonObject { ["attribute"] = attribute, ["op"] = "eq", ["value"] = value } }.ToJsonString(),
            HttpStatusCode.OK,
            "filter segments may not be in this build yet: --static-segments runs a smoke test on static lists");

    /// <summary>A static segment of <paramref name="contactIds"/>: the first 10 000 in the PUT, the rest added 10 000 a request.</summary>
    public async Task PutStaticSegmentAsync(string id, IReadOnlyList<string> contactIds, CancellationToken cancellationToken)
    {
        const int Chunk = 10_000;
        await SendAsync(HttpMethod.Put, $"v1/segments/{id}",
            new JsonObject { ["name"] = id, ["contactIds"] = Ids(contactIds.Take(Chunk)) }.ToJsonString(), HttpStatusCode.OK, cancellationToken: cancellationToken);
        for (var start = Chunk; start < contactIds.Count; start += Chunk)
            await SendAsync(HttpMethod.Post, $"v1/segments/{id}/members",
                new JsonObject { ["contactIds"] = Ids(contactIds.Skip(start).Take(Chunk)) }.ToJsonString(), HttpStatusCode.OK, cancellationToken: cancellationToken);
    }

    public async Task<long?> SegmentCountAsync(string id, CancellationToken cancellationToken)
    {
        var segment = await SendAsync(HttpMethod.Get, $"v1/segments/{id}", null, HttpStatusCode.OK, cancellationToken: cancellationToken);
        return segment.TryGetProperty("count", out var count) && count.ValueKind == JsonValueKind.Number ? count.GetInt64() : null;
    }

    /// <summary>send → wait until <paramref name="until"/> → send; manual trigger; created and started.</summary>
    public async Task CreateSendWaitSendAsync(string id, string contentId, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var flow = new JsonObject
        {
            ["id"] = id,
            ["name"] = "Benchmark " + id,
            ["trigger"] = new JsonObject { ["type"] = "manual" },
            ["startStepId"] = "first",
            ["steps"] = new JsonArray(
                new JsonObject { ["id"] = "first", ["type"] = "sendEmail", ["contentId"] = contentId, ["next"] = "hold" },
                new JsonObject { ["id"] = "hold", ["type"] = "wait", ["until"] = until.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture), ["next"] = "after" },
                new JsonObject { ["id"] = "after", ["type"] = "sendEmail", ["contentId"] = contentId }),
        };
        await SendAsync(HttpMethod.Post, "v1/flows", flow.ToJsonString(), HttpStatusCode.Created, cancellationToken: cancellationToken);
        await SendAsync(HttpMethod.Post, $"v1/flows/{id}/start", null, HttpStatusCode.OK, cancellationToken: cancellationToken);
    }

    public async Task<string> StartEnrollmentJobAsync(string flowId, string segmentId, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(HttpMethod.Post, $"v1/flows/{flowId}/enrollments", new JsonObject { ["segmentId"] = segmentId }.ToJsonString(),
            HttpStatusCode.Accepted, "the enrollment job may not be in this build yet: --enroll-with participants runs a smoke test without it", cancellationToken);
        return answer.GetProperty("jobId").ToString();
    }

    public async Task<JobProgress> JobAsync(string flowId, string jobId, CancellationToken cancellationToken)
    {
        var job = await SendAsync(HttpMethod.Get, $"v1/flows/{flowId}/enrollments/{jobId}", null, HttpStatusCode.OK, cancellationToken: cancellationToken);
        return new JobProgress(job.GetProperty("status").GetString() ?? "", Long(job, "total"), Long(job, "processed"), Long(job, "enrolled"), Long(job, "skipped"));
    }

    /// <summary>Enrolls through <c>POST /v1/flows/{id}/participants</c>; returns how many were enrolled.</summary>
    public async Task<long> EnrollAsync(string flowId, IReadOnlyList<string> contactIds, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(HttpMethod.Post, $"v1/flows/{flowId}/participants", new JsonObject { ["contactIds"] = Ids(contactIds) }.ToJsonString(),
            HttpStatusCode.OK, cancellationToken: cancellationToken);
        return Long(answer, "enrolled");
    }

    public async Task<FlowCounts> StatsAsync(string flowId, CancellationToken cancellationToken)
    {
        var stats = await SendAsync(HttpMethod.Get, $"v1/flows/{flowId}/stats", null, HttpStatusCode.OK, cancellationToken: cancellationToken);
        return new FlowCounts(Long(stats, "enrolled"), Long(stats, "active"), Long(stats, "waiting"), Long(stats, "completed"), Long(stats, "exited"), Long(stats, "failed"));
    }

    /// <summary>Posts a body <c>{"events":[…]}</c>; returns accepted and duplicates.</summary>
    public async Task<(long Accepted, long Duplicates)> PostEventsAsync(byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        using var response = await http.PostAsync("v1/events", content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw new BenchmarkException($"POST /v1/events answered {(int)response.StatusCode}: {Shorten(text)}");
        using var answer = JsonDocument.Parse(text);
        return (Long(answer.RootElement, "accepted"), Long(answer.RootElement, "duplicates"));
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, string? body, HttpStatusCode expected, string? hint = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != expected)
            throw new BenchmarkException($"{method} /{path} answered {(int)response.StatusCode} (expected {(int)expected}): {Shorten(text)}" + (hint is null ? "" : $"\n({hint})"));
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static JsonArray Ids(IEnumerable<string> ids) => new([.. ids.Select(id => (JsonNode)JsonValue.Create(id))]);

    private static long Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    private static string Shorten(string text) => text.Length <= 1_000 ? text : text[..1_000] + "…";
}
