using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Telemetry;

/// <summary>The API in process: <c>/metrics</c> for a scraper without a key, and one trace from a request into the grains.</summary>
public sealed class TelemetryEndpointTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private ApiFixture _fixture = null!;
    private WebApplicationFactory<Program> _api = null!;

    public Task InitializeAsync()
    {
        _fixture = new ApiFixture();
        _api = _fixture.WithWebHostBuilder(b => b.ConfigureServices(s =>
            s.ConfigureOpenTelemetryTracerProvider(t => t.AddProcessor(new SimpleActivityExportProcessor(new QueueExporter(_spans))))));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _fixture.DisposeAsync();
    }

    [Fact]
    public async Task MetricsAnswerPrometheusTextWithoutAKeyWithOrleansAspNetCoreAndRuntimeInstruments()
    {
        using var client = _api.CreateClient();
        (await client.GetAsync("/health/live")).EnsureSuccessStatusCode();

        var metrics = await Eventually.Matches(
            async () =>
            {
                using var response = await client.GetAsync("/metrics");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
                return new PrometheusText(await response.Content.ReadAsStringAsync());
            },
            m => m.Has("http_server_request_duration_seconds"),
            TimeSpan.FromSeconds(20),
            "/metrics has the duration of the request served before");

        Assert.True(metrics.Has("orleans_"), "no Orleans instrument in /metrics");
        Assert.True(metrics.Has("dotnet_gc_"), "no runtime instrument in /metrics");
    }

    [Fact]
    public async Task ARequestAndTheGrainCallsItMakesShareOneTrace()
    {
        using var client = _api.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiFixture.AdminKey);
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/flows");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        (await client.SendAsync(request)).EnsureSuccessStatusCode();

        // Spans of other hosts in this test process may arrive too: only this trace counts.
        var spans = await Eventually.Matches(
            () => Task.FromResult(new Spans(_spans.Where(s => s.TraceId == traceId).ToList())),
            s => s.List.Any(a => a.Source.Name == "Microsoft.AspNetCore" && a.Kind == ActivityKind.Server) &&
                 s.List.Any(IsGrainCall),
            TimeSpan.FromSeconds(20),
            "the request's trace has its ASP.NET Core span and a grain call's span");

        var server = spans.List.Single(a => a.Source.Name == "Microsoft.AspNetCore");
        Assert.StartsWith("GET /v1/flows", server.DisplayName, StringComparison.Ordinal);
        var call = spans.List.First(IsGrainCall);
        Assert.Contains("IFlowCatalogGrain", call.DisplayName, StringComparison.Ordinal);
        Assert.NotEqual(default, call.ParentSpanId);
    }

    /// <summary>The silo's side of a grain call: Orleans names it after the interface and method.</summary>
    private static bool IsGrainCall(Activity span) =>
        span.Kind == ActivityKind.Server && span.Source.Name is ActivitySources.RuntimeActivitySourceName or ActivitySources.ApplicationGrainActivitySourceName;

    /// <summary>The spans of one trace, listed by source, kind and name in a failure message.</summary>
    private sealed record Spans(List<Activity> List)
    {
        public override string ToString() => $"{List.Count} spans: " + string.Join("; ", List.Select(a => $"{a.Source.Name} {a.Kind} {a.DisplayName}"));
    }

    /// <summary>Keeps finished spans in a queue the test may read while spans still arrive (a list may not be read meanwhile).</summary>
    private sealed class QueueExporter(ConcurrentQueue<Activity> spans) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var span in batch) spans.Enqueue(span);
            return ExportResult.Success;
        }
    }
}
