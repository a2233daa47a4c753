using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Orleans.Flows.Api.OpenApi;

/// <summary>
/// A route's <c>WithSummary</c> is written for API users; a handler's XML <c>&lt;summary&gt;</c> is written for readers of
/// the code, yet the generator lets the XML comment win. This puts the route's own summary back.
/// </summary>
public sealed class RouteSummaryTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointSummaryMetadata>().LastOrDefault() is { } summary)
            operation.Summary = summary.Summary;
        return Task.CompletedTask;
    }
}
