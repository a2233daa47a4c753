using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Orleans.Flows.Flows;
using Orleans.Flows.Values;

namespace Orleans.Flows.Api.OpenApi;

/// <summary>
/// Schemas for the types the API writes with its own JSON converters (<see cref="FlowJson"/>), which the generator
/// sees as "anything": ISO-8601 durations, times of day, field values and re-entry rules (conditions: <see cref="ConditionSchema"/>).
/// </summary>
public sealed class ValueSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        var underlying = Nullable.GetUnderlyingType(type);
        var nullable = underlying is not null;
        switch (underlying ?? type)
        {
            case var t when t == typeof(TimeSpan):
                Apply(schema, Duration(), nullable);
                break;
            case var t when t == typeof(TimeOnly):
                Apply(schema, new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Pattern = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
                    Description = "A time of day, `HH:mm` (or `HH:mm:ss`).",
                    Examples = ["09:00"],
                }, nullable);
                break;
            case var t when t == typeof(FieldValue):
                Apply(schema, FieldValueSchema(), nullable);
                break;
            case var t when t == typeof(Reentry):
                schema.Description = "Whether a contact that left the flow may be enrolled again: `\"never\"` (the default), `\"always\"` (after leaving) or `{\"after\": \"P30D\"}`. A contact is never in the same flow twice at once.";
                schema.OneOf =
                [
                    new OpenApiSchema { Type = JsonSchemaType.String, Enum = ["never", "always"] },
                    new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "after" },
                        Properties = new Dictionary<string, IOpenApiSchema> { ["after"] = Duration() },
                    },
                ];
                schema.Examples = ["never"];
                break;
        }
        return Task.CompletedTask;
    }

    public static OpenApiSchema Duration() => new()
    {
        Type = JsonSchemaType.String,
        Format = "duration",
        Pattern = "^P(\\d+D)?(T(\\d+H)?(\\d+M)?(\\d+(\\.\\d+)?S)?)?$",
        Description = "An ISO-8601 duration such as `PT30S`, `PT10M`, `P2D`; years and months are refused as ambiguous.",
        Examples = ["P2D"],
    };

    /// <summary>A contact attribute, event property or condition value: a JSON scalar or an array of scalars.</summary>
    public static OpenApiSchema FieldValueSchema() => new()
    {
        Type = JsonSchemaType.String | JsonSchemaType.Number | JsonSchemaType.Boolean | JsonSchemaType.Array | JsonSchemaType.Null,
        Items = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Number | JsonSchemaType.Boolean },
        Description = "A string, number, boolean or null, or an array of them.",
    };

    private static void Apply(OpenApiSchema schema, OpenApiSchema with, bool nullable)
    {
        schema.Type = nullable ? with.Type | JsonSchemaType.Null : with.Type;
        schema.Format = with.Format;
        schema.Pattern = with.Pattern;
        schema.Items = with.Items;
        schema.Description ??= with.Description;
        schema.Examples = with.Examples?.Select(e => e.DeepClone()).ToList();
    }
}
