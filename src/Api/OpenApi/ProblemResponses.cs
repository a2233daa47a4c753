using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Orleans.Flows.Api.OpenApi;

/// <summary>The RFC 7807 responses of the API: what each status means here, its schema and an example.</summary>
public static class ProblemResponses
{
    public const string ContentType = "application/problem+json";

    private static readonly Dictionary<int, (string Description, Func<JsonNode> Example)> Known = new()
    {
        [400] = ("Invalid input. `errors` names the JSON path (`$.steps[0].next`) or the parameter of each problem; nothing was changed.", ProblemExamples.Validation),
        [401] = ("No API key, or an unknown one, in the `X-Api-Key` header.", ProblemExamples.Unauthorized),
        [403] = ("The key's role may not make this call.", ProblemExamples.Forbidden),
        [404] = ("The id (or, for tracking links, the token) is unknown.", ProblemExamples.NotFound),
        [409] = ("The current state does not allow this (for example editing a running flow).", ProblemExamples.Conflict),
        [413] = ("The body is larger than `Api:MaxBodyBytes` (16 MiB by default).", ProblemExamples.TooLarge),
        [429] = ("Rate limited: this key made more requests a second than `Api:RateLimit:PerKeyPerSecond`. Retry after `Retry-After` seconds.", ProblemExamples.TooManyRequests),
    };

    /// <summary>Adds the problem response of <paramref name="status"/> unless the operation already declares it.</summary>
    public static async Task AddAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, int status)
    {
        operation.Responses ??= [];
        var key = status.ToString(CultureInfo.InvariantCulture);
        if (operation.Responses.ContainsKey(key)) return;
        var type = status == 400 ? typeof(HttpValidationProblemDetails) : typeof(ProblemDetails);
        operation.Responses[key] = new OpenApiResponse
        {
            Content = new Dictionary<string, OpenApiMediaType> { [ContentType] = new() { Schema = await SchemaAsync(type, context) } },
        };
    }

    /// <summary>Gives every problem response its meaning here and an example, unless a route gave its own.</summary>
    public static void Describe(OpenApiOperation operation)
    {
        foreach (var (key, response) in operation.Responses ?? [])
        {
            if (!int.TryParse(key, CultureInfo.InvariantCulture, out var status) || !Known.TryGetValue(status, out var known)) continue;
            if (response is not OpenApiResponse concrete) continue;
            if (string.IsNullOrEmpty(concrete.Description) || concrete.Description == ReasonPhrase(status)) concrete.Description = known.Description;
            if (concrete.Content?.TryGetValue(ContentType, out var media) != true || media is null) continue;
            if (media.Examples is not { Count: > 0 }) RouteDocumentation.AddExample(media, ExampleName(status), known.Description, known.Example());
        }
    }

    private static string ExampleName(int status) => status == 400 ? "validation" : ReasonPhrase(status).ToLowerInvariant().Replace(' ', '-');

    /// <summary>The description the generator gives a response: the reason phrase.</summary>
    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);

    private static async Task<IOpenApiSchema> SchemaAsync(Type type, OpenApiOperationTransformerContext context)
    {
        var id = type.Name;
        var document = context.Document!;
        if (document.Components?.Schemas?.ContainsKey(id) != true)
        {
            var schema = await context.GetOrCreateSchemaAsync(type);
            document.Components ??= new OpenApiComponents();
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            document.Components.Schemas.TryAdd(id, schema);
        }
        return new OpenApiSchemaReference(id, document);
    }
}
