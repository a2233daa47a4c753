namespace Orleans.Flows.Silo.Telemetry;

/// <summary>Telemetry settings beside the standard <c>OTEL_*</c> variables, which OpenTelemetry reads itself.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>
    /// The silo-only process (no HTTP server of its own) serves Prometheus text at <c>http://*:port/metrics</c>
    /// when this is set; off when unset. The API process always serves <c>/metrics</c> on its own port instead.
    /// </summary>
    public int? PrometheusPort { get; set; }
}
