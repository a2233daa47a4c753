using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;
using Orleans.Flows.Telemetry;

namespace Orleans.Flows.Silo.Telemetry;

/// <summary>
/// OpenTelemetry for both processes, the API and the silo: traces from HTTP through grain calls to PostgreSQL,
/// the Orleans, HTTP client, runtime and engine metrics, and trace ids in every log line. Export over OTLP only
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; each process adds its own Prometheus endpoint.
/// </summary>
public static class FlowsTelemetry
{
    /// <summary>The meter of the Orleans runtime (grain calls, activations, messaging).</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";

    public static IOpenTelemetryBuilder AddFlowsTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        // Every log line written under an activity (a request, a grain call it led to) carries its trace and span ids.
        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.IncludeScopes = true;
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? serviceName))
            // Spans are recorded even without an exporter: Orleans hands a trace on to the grains a request calls only
            // for a sampled span, and the grains' log lines need its trace id. OTEL_TRACES_SAMPLER (for example
            // parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG=0.1) trades that for less work.
            .WithTracing(tracing => tracing
                .AddSource(ActivitySources.ApplicationGrainActivitySourceName, ActivitySources.RuntimeActivitySourceName)
                .AddHttpClientInstrumentation()
                .AddNpgsql())
            .WithMetrics(metrics => metrics
                .AddMeter(FlowsMetrics.MeterName, OrleansMeterName)
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation());
        if (otlp)
        {
            // Traces, metrics and logs; endpoint, protocol and headers from the standard OTEL_EXPORTER_OTLP_* variables.
            telemetry.WithLogging(configureBuilder: null, configureOptions: o =>
            {
                o.IncludeScopes = true;
                o.IncludeFormattedMessage = true;
            });
            telemetry.UseOtlpExporter();
        }
        return telemetry;
    }

    /// <summary>
    /// The silo-only process has no HTTP server: with <c>Telemetry:PrometheusPort</c> it serves Prometheus text on
    /// that port at <c>/metrics</c>, on every interface (keep the port on the internal network).
    /// </summary>
    public static IOpenTelemetryBuilder AddPrometheusListener(this IOpenTelemetryBuilder telemetry, IConfiguration configuration)
    {
        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (options.PrometheusPort is not { } port) return telemetry;
        return telemetry.WithMetrics(metrics => metrics.AddPrometheusHttpListener(o =>
        {
            o.Port = port;
            // Host takes a name only (localhost by default); a scraper on another machine needs every interface.
            o.ConfigureHttpListener = (_, listener) =>
            {
                listener.Prefixes.Clear();
                listener.Prefixes.Add($"http://+:{port}/");
            };
        }));
    }
}
