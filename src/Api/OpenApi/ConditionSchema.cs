using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Api.OpenApi;

/// <summary>
/// The JSON of a <see cref="Condition"/>: an object told apart by the key it carries, nested through <c>all</c>,
/// <c>any</c>, <c>not</c> and an event's <c>where</c> (read by <see cref="ConditionJsonConverter"/>).
/// </summary>
/// <remarks>
/// A document transformer, not a schema transformer: the schema refers to itself, and the generator follows references
/// while it builds schemas (endlessly, for this one). Once the document is built, the component is simply replaced.
/// </remarks>
public sealed class ConditionSchema : IOpenApiDocumentTransformer
{
    /// <summary>The component id the generator gives <see cref="Condition"/>; the nested conditions refer to it.</summary>
    public const string Id = nameof(Condition);

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (document.Components?.Schemas?.TryGetValue(Id, out var found) == true && found is OpenApiSchema schema) Apply(schema, document);
        return Task.CompletedTask;
    }

    private static void Apply(OpenApiSchema schema, OpenApiDocument document)
    {
        var self = new OpenApiSchemaReference(Id, document);
        var ops = Enum.GetValues<ConditionOp>().Select(o => (JsonNode)JsonNamingPolicy.CamelCase.ConvertName(o.ToString())).ToList();
        schema.Type = JsonSchemaType.Object;
        schema.Description =
            "A condition, told apart by the key it carries: `attribute` (a contact field), `property` (an event property, inside " +
            "an event trigger or an event condition), `event` (such an event happened), `all`, `any`, `not`. " +
            $"Conditions nest at most {FlowJson.MaxConditionDepth} levels. Strings compare without regard to case; `tags` matches when one tag does.";
        schema.OneOf =
        [
            Comparison("attribute",
                "A contact field: `email`, `phone`, `pushToken`, `company`, `firstName`, `lastName`, `timeZone`, `tags` or `attributes.X`.",
                "attributes.category", ops),
            Comparison("property", "An event property.", "formId", ops),
            new OpenApiSchema
            {
                Title = "event",
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "event" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["event"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The event type, e.g. `email.opened`." },
                    ["where"] = self,
                    ["within"] = ValueSchemaTransformer.Duration(),
                    ["stepId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "True only for such an event after this step of the flow ran (e.g. the opening of the email that step sent)." },
                },
                Description = "True when such an event happened: within the period (`within`), or after the step `stepId` ran; `where` filters on its properties.",
            },
            Group("all", "True when every condition is."),
            Group("any", "True when one condition is."),
            new OpenApiSchema
            {
                Title = "not",
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "not" },
                Properties = new Dictionary<string, IOpenApiSchema> { ["not"] = self },
            },
        ];

        OpenApiSchema Group(string key, string description) => new()
        {
            Title = key,
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { key },
            Properties = new Dictionary<string, IOpenApiSchema> { [key] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = self, Description = description } },
        };
    }

    private static OpenApiSchema Comparison(string key, string description, string example, List<JsonNode> ops) => new()
    {
        Title = key,
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { key, "op" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            [key] = new OpenApiSchema { Type = JsonSchemaType.String, Description = description, Examples = [example] },
            ["op"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. ops.Select(o => o.DeepClone())] },
            ["value"] = ValueSchemaTransformer.FieldValueSchema(),
        },
    };
}
