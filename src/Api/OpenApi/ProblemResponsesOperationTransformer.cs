using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Orleans.Flows.Api.OpenApi;

/// <summary>
/// The problems any call can meet whatever its handler: 413 for a body over the limit, 429 for a key over its rate
/// (every <c>/v1</c> call), 400 for a body that is not JSON; then a description and an example for each problem response.
/// </summary>
public sealed class ProblemResponsesOperationTransformer : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.RequestBody is not null)
        {
            await ProblemResponses.AddAsync(operation, context, StatusCodes.Status400BadRequest);
            await ProblemResponses.AddAsync(operation, context, StatusCodes.Status413PayloadTooLarge);
        }
        if (context.Description.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) == true)
        {
            await ProblemResponses.AddAsync(operation, context, StatusCodes.Status429TooManyRequests);
            if (operation.Responses!.TryGetValue("429", out var r429) && r429 is OpenApiResponse tooMany)
            {
                tooMany.Headers ??= new Dictionary<string, IOpenApiHeader>();
                tooMany.Headers["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before the next request.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                };
            }
        }
        ProblemResponses.Describe(operation);
    }
}
