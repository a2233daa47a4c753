using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Orleans.Flows.Api.OpenApi;

/// <summary>
/// Short calls that document one route in the OpenAPI document: examples, query parameters and paging. Many handlers
/// read their body and query by hand (to answer path-precise 400s), so the generator cannot see these itself.
/// </summary>
public static class RouteDocumentation
{
    /// <summary>Adds a named example of the JSON request body; the first one added is the one shown first.</summary>
    public static RouteHandlerBuilder WithRequestExample(this RouteHandlerBuilder route, string name, string summary, Func<JsonNode> example, string contentType = "application/json") =>
        route.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.RequestBody?.Content?.TryGetValue(contentType, out var media) == true)
                AddExample(media, name, summary, example());
            return Task.CompletedTask;
        });

    /// <summary>Adds a named example to the response of <paramref name="status"/> (the response must be declared).</summary>
    public static RouteHandlerBuilder WithResponseExample(this RouteHandlerBuilder route, int status, string name, string summary, Func<JsonNode> example) =>
        route.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (operation.Responses?.TryGetValue(key, out var response) == true && response.Content is { Count: > 0 } content)
                AddExample(content.Values.First(), name, summary, example());
            return Task.CompletedTask;
        });

    /// <summary>Describes a query parameter the handler reads as text, with the values it accepts when there is a fixed set.</summary>
    public static RouteHandlerBuilder WithQueryParameter(this RouteHandlerBuilder route, string name, string description, IEnumerable<string>? allowed = null) =>
        route.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var parameter = FindQuery(operation, name);
            parameter.Description = description;
            if (allowed is not null)
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. allowed.Select(v => (JsonNode)JsonValue.Create(v))] };
            return Task.CompletedTask;
        });

    /// <summary>Documents <c>cursor</c> and <c>limit</c>, the keyset paging of every list (see <c>Paging</c>).</summary>
    public static RouteHandlerBuilder WithPaging(this RouteHandlerBuilder route) =>
        route.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var cursor = FindQuery(operation, "cursor");
            cursor.Description = "Opaque: the `nextCursor` of the previous page. Leave out for the first page; a page without `nextCursor` is the last.";
            cursor.Schema = new OpenApiSchema { Type = JsonSchemaType.String };
            var limit = FindQuery(operation, "limit");
            limit.Description = $"Items per page, 1–{Http.Paging.MaxLimit} (default {Http.Paging.DefaultLimit}).";
            limit.Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer,
                Format = "int32",
                Minimum = "1",
                Maximum = Http.Paging.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Default = Http.Paging.DefaultLimit,
            };
            return Task.CompletedTask;
        });

    /// <summary>Declares the <c>Location</c> header of a response.</summary>
    public static RouteHandlerBuilder WithLocationHeader(this RouteHandlerBuilder route, int status, string description) =>
        route.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (operation.Responses?.TryGetValue(key, out var found) == true && found is OpenApiResponse response)
            {
                response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                response.Headers["Location"] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            }
            return Task.CompletedTask;
        });

    /// <summary>
    /// Documents a form body the handler does not read (so <c>Accepts</c>, which would also restrict the content types
    /// the route matches, is not used): its fields as strings, with <paramref name="example"/>.
    /// </summary>
    public static RouteHandlerBuilder WithFormRequestBody(this RouteHandlerBuilder route, string description, Func<JsonNode> example) =>
        route.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var value = example();
            var media = new OpenApiMediaType
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = value.AsObject().ToDictionary(p => p.Key, IOpenApiSchema (_) => new OpenApiSchema { Type = JsonSchemaType.String }),
                },
            };
            AddExample(media, "form", description, value);
            operation.RequestBody = new OpenApiRequestBody
            {
                Description = description,
                Required = false,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/x-www-form-urlencoded"] = media },
            };
            return Task.CompletedTask;
        });

    private static OpenApiParameter FindQuery(OpenApiOperation operation, string name)
    {
        operation.Parameters ??= [];
        if (operation.Parameters.OfType<OpenApiParameter>().FirstOrDefault(p => p.Name == name && p.In == ParameterLocation.Query) is { } found)
            return found;
        var added = new OpenApiParameter { Name = name, In = ParameterLocation.Query, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
        operation.Parameters.Add(added);
        return added;
    }

    internal static void AddExample(OpenApiMediaType media, string name, string summary, JsonNode value)
    {
        media.Examples ??= new Dictionary<string, IOpenApiExample>();
        media.Examples[name] = new OpenApiExample { Summary = summary, Value = value };
    }
}
