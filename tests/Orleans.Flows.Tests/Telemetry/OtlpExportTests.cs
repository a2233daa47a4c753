using System.Diagnostics;
using System.Globalization;
using System.Net;
using Orleans.Flows.Tests.Durable;
using Orleans.Flows.Tests.Http;
using Orleans.Flows.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orleans.Flows.Tests.Telemetry;

/// <summary>
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> pointed at a collector: the API in durable mode exports traces, metrics and
/// logs over OTLP, and one request's trace runs from ASP.NET Core through the grain call to PostgreSQL.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OtlpExportTests(PostgresServer postgres, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    [Trait("Category", "Process")]
    public async Task ARequestsTraceRunsFromHttpThroughAGrainToPostgreSqlAndReachesTheCollector()
    {
        var connectionString = await postgres.CreateDatabaseAsync("otlp_" + Guid.NewGuid().ToString("N")[..8]);
        using var collector = new OtlpReceiver();
        var key = "otlp-key-" + Guid.NewGuid().ToString("N");
        var port = ApiFixture.FreePort();
        var cluster = "otlp-" + Guid.NewGuid().ToString("N")[..8];
        await using var api = ServiceProcess.Start("api", ServiceProcess.Assembly("Api", "Orleans.Flows.Api.dll"), ServiceProcess.DurableSettings(connectionString, cluster,
            ("ASPNETCORE_URLS", $"http://127.0.0.1:{port}"),
            ("Orleans__SiloPort", ApiFixture.FreePort().ToString(CultureInfo.InvariantCulture)),
            ("Orleans__GatewayPort", ApiFixture.FreePort().ToString(CultureInfo.InvariantCulture)),
            ("Api__Keys__0__Key", key),
            ("Api__Keys__0__Role", "admin"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.Endpoint),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_SERVICE_NAME", "flows-otlp-test"),
            // Export within a second rather than the defaults' five and sixty.
            ("OTEL_BSP_SCHEDULE_DELAY", "200"),
            ("OTEL_BLRP_SCHEDULE_DELAY", "200"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "1000")));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Eventually.Matches(() => client.StatusOrNullAsync("/health/ready"), s => s == HttpStatusCode.OK, Timeout, "the API is ready");
        var wrongKey = "otlp-wrong-key-" + Guid.NewGuid().ToString("N");

        // The message log is a grain that queries PostgreSQL itself, within the call: one trace from edge to database.
        var traceId = ActivityTraceId.CreateRandom();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        using (new Activity("otlp-test-caller").SetParentId(traceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded).Start())
        {
            using var response = await client.GetAsync("/v1/messages?contactId=nobody");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            // And one that writes a log line (the refused key, at Information): it must carry the trace, not the key.
            using var stranger = new HttpClient { BaseAddress = client.BaseAddress };
            stranger.DefaultRequestHeaders.Add("X-Api-Key", wrongKey);
            using var unauthorized = await stranger.GetAsync("/v1/flows");
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        }

        var spans = await Eventually.Matches(
            () => Task.FromResult(collector.Bodies("/v1/traces").SelectMany(OtlpSpans.Read).Where(s => s.TraceId == traceId.ToHexString()).ToList()),
            s => s.Any(x => x.Scope.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)) &&
                 s.Any(x => x.Scope.StartsWith("Microsoft.Orleans", StringComparison.Ordinal)) &&
                 s.Any(x => x.Scope == "Npgsql"),
            Timeout,
            "the request's trace has an ASP.NET Core, an Orleans and an Npgsql span");
        foreach (var span in spans) output.WriteLine($"{span.Scope}: {span.Name}");

        // Metrics and logs go to the same collector: the engine's meter by name, and log lines with the request's trace id.
        await Eventually.Matches(
            () => Task.FromResult(collector.Bodies("/v1/metrics").Any(b => Contains(b, "flows.outbox.depth"u8) && Contains(b, "Orleans.Flows"u8))),
            found => found, Timeout, "the engine's metrics were exported");
        var traceBytes = Convert.FromHexString(traceId.ToHexString());
        await Eventually.Matches(
            () => Task.FromResult(collector.Bodies("/v1/logs").Any(b => Contains(b, traceBytes))),
            found => found, Timeout, "a log record of the request was exported with its trace id");
        foreach (var secret in new[] { key, wrongKey })
            Assert.False(collector.Bodies("/v1/logs").Any(b => Contains(b, System.Text.Encoding.UTF8.GetBytes(secret))), "an exported log record holds an API key");
    }

    private static bool Contains(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
