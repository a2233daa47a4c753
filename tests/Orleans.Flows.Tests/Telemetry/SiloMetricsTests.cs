using System.Globalization;
using Orleans.Flows.Tests.Durable;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Telemetry;

/// <summary>The silo-only process has no HTTP server: with <c>Telemetry:PrometheusPort</c> it serves its metrics itself.</summary>
public sealed class SiloMetricsTests
{
    [Fact]
    [Trait("Category", "Process")]
    public async Task ASiloServesPrometheusTextOnItsOwnPort()
    {
        var metricsPort = ApiFixture.FreePort();
        await using var silo = ServiceProcess.Start("silo", ServiceProcess.Assembly("Silo", "Orleans.Flows.Silo.dll"), new Dictionary<string, string>
        {
            ["Orleans__SiloPort"] = ApiFixture.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = ApiFixture.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Telemetry__PrometheusPort"] = metricsPort.ToString(CultureInfo.InvariantCulture),
        });
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };

        // The silo's own instruments (Orleans, runtime) and the engine's, once the outbox depth has been sampled.
        var metrics = await Eventually.Matches(
            async () =>
            {
                Assert.False(silo.HasExited, $"the silo exited:\n{silo.Tail(20_000)}");
                try
                {
                    return new PrometheusText(await scraper.GetStringAsync("/metrics"));
                }
                catch (HttpRequestException)
                {
                    return new PrometheusText("");
                }
            },
            m => m.Value("flows_outbox_depth") is not null,
            TimeSpan.FromSeconds(60),
            "the silo's /metrics shows the outbox depth");
        Assert.Equal(0, metrics.Value("flows_outbox_depth"));
        Assert.True(metrics.Has("orleans_"), "no Orleans instrument:\n" + metrics.Text);
        Assert.True(metrics.Has("dotnet_"), "no runtime instrument:\n" + metrics.Text);
    }
}
