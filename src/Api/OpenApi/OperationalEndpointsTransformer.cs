using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Orleans.Flows.Api.OpenApi;

/// <summary>
/// Health probes (and <c>/metrics</c> once it is mapped) are middleware endpoints the generator does not see: they are
/// added here, each only when the app really maps it, so the document never promises a route that is not there.
/// </summary>
public sealed class OperationalEndpointsTransformer : IOpenApiDocumentTransformer
{
    private sealed record Probe(string Path, string Summary, string Description, string ContentType, string Example, bool CanBeUnhealthy);

    private static readonly Probe[] Probes =
    [
        new("/health/live", "Liveness", "200 while the process runs; checks nothing else.", "text/plain", "Healthy", CanBeUnhealthy: false),
        new("/health/ready", "Readiness",
            "200 when the silo or cluster client answers and, in durable mode, PostgreSQL does; 503 otherwise.", "text/plain", "Healthy", CanBeUnhealthy: true),
        new("/metrics", "Prometheus metrics",
            "The Orleans, ASP.NET Core and runtime instruments and the engine's own (`flows_enrollments_total`, `flows_events_ingested_total`, …) in Prometheus text format.",
            "text/plain", "# TYPE flows_enrollments_total counter\nflows_enrollments_total 1", CanBeUnhealthy: false),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var mapped = context.ApplicationServices.GetServices<EndpointDataSource>()
            .SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText?.TrimStart('/'))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        document.Paths ??= [];
        foreach (var probe in Probes.Where(p => mapped.Contains(p.Path) && !document.Paths.ContainsKey(p.Path)))
        {
            var responses = new OpenApiResponses { ["200"] = Text("OK", probe) };
            if (probe.CanBeUnhealthy) responses["503"] = Text("Not ready: a check failed.", probe with { Example = "Unhealthy" });
            var operation = new OpenApiOperation
            {
                Summary = probe.Summary,
                Description = probe.Description + " No API key.",
                Tags = new HashSet<OpenApiTagReference> { new("Operations", document) },
                Responses = responses,
            };
            document.Paths[probe.Path] = new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Get] = operation } };
        }
        return Task.CompletedTask;
    }

    private static OpenApiResponse Text(string description, Probe probe) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [probe.ContentType] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String }, Example = JsonValue.Create(probe.Example) },
        },
    };
}
