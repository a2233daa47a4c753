using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Orleans.Flows.Values;

namespace Orleans.Flows.Api.OpenApi;

/// <summary>
/// Path parameters: every id follows the rule of <see cref="Ids"/> (a broken one is a 400 naming the parameter), and
/// each says whose id it is, read from the resource before it in the path (<c>/v1/flows/{id}</c>: the flow's).
/// </summary>
public sealed class PathParameterTransformer : IOpenApiOperationTransformer
{
    private static readonly Dictionary<string, string> Owners = new()
    {
        ["contacts"] = "contact",
        ["content"] = "content",
        ["flows"] = "flow",
        ["segments"] = "segment",
        ["messages"] = "message",
        ["participants"] = "contact",
        ["members"] = "contact",
        ["enrollments"] = "enrollment job",
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var segments = (context.Description.RelativePath ?? "").Split('/');
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Path) ?? [])
        {
            var at = Array.IndexOf(segments, "{" + parameter.Name + "}");
            var resource = at > 0 ? segments[at - 1] : "";
            if (parameter.Name == "token")
            {
                parameter.Description = "The signed token of the link, as it appears in the email. A forged or altered token gets 404 and records nothing.";
                continue;
            }
            var owner = Owners.GetValueOrDefault(resource, (parameter.Name ?? "").Replace("Id", "", StringComparison.Ordinal));
            parameter.Description = $"The {owner}'s id: 1–{Ids.MaxLength} characters of `A-Z a-z 0-9 . _ : @ -`.";
            parameter.Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                MinLength = 1,
                MaxLength = Ids.MaxLength,
                Pattern = "^[A-Za-z0-9._:@-]+$",
            };
        }
        return Task.CompletedTask;
    }
}
