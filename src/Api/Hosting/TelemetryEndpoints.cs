namespace Orleans.Flows.Api.Hosting;

/// <summary>The API's Prometheus endpoint, and which requests are worth a trace.</summary>
public static class TelemetryEndpoints
{
    public const string MetricsPath = "/metrics";

    /// <summary>Scrapes and health probes come every few seconds and say nothing about the engine: no spans for them.</summary>
    public static bool IsTraced(HttpContext context) =>
        !context.Request.Path.StartsWithSegments(MetricsPath) && !context.Request.Path.StartsWithSegments("/health");
}
