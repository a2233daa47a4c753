using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Flows.Flows;
using Orleans.Flows.Values;

namespace Orleans.Flows.Api.Http;

/// <summary>
/// Reads a request body with the API's JSON rules. Malformed JSON, wrong types and unknown enum values become a
/// 400 whose <c>errors</c> name the JSON path, never an exception.
/// </summary>
public static class JsonBody
{
    public static async Task<(JsonElement Root, ValidationProblem? Problem)> ReadElementAsync(HttpRequest request)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = InputLimits.MaxJsonDepth }, request.HttpContext.RequestAborted);
            if (JsonText.FindUnusableString(document.RootElement) is { } unusable) return (default, Problems.Invalid(unusable.Path, unusable.Message));
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, position {ex.BytePositionInLine + 1})" : "";
            return (default, Problems.Invalid(string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path, "The body is not valid JSON" + where + "."));
        }
    }

    /// <summary>Reads an object body into <typeparamref name="T"/>.</summary>
    public static async Task<(T? Value, JsonElement Root, ValidationProblem? Problem)> ReadAsync<T>(HttpRequest request) where T : class
    {
        var (root, problem) = await ReadElementAsync(request);
        if (problem is not null) return (null, root, problem);
        var (value, conversion) = Convert<T>(root);
        return (value, root, conversion);
    }

    public static (T? Value, ValidationProblem? Problem) Convert<T>(JsonElement element, string pathPrefix = "$") where T : class
    {
        if (element.ValueKind != JsonValueKind.Object)
            return (null, Problems.Invalid(pathPrefix, "must be a JSON object"));
        try
        {
            var value = element.Deserialize<T>(FlowJson.Options);
            return value is null ? (null, Problems.Invalid(pathPrefix, "must be a JSON object")) : (value, null);
        }
        catch (JsonException ex)
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var (path, message) in JsonErrors.Describe(ex, typeof(T)))
                errors[pathPrefix == "$" ? path : pathPrefix + path[1..]] = [message];
            return (null, Problems.Invalid(errors));
        }
        catch (NotSupportedException ex)
        {
            // The serializer says so when a polymorphic object lacks its "type".
            var at = ex.Message.IndexOf("Path: ", StringComparison.Ordinal);
            var path = at >= 0 ? ex.Message[(at + 6)..].Split(' ', '|')[0].TrimEnd('.') : pathPrefix;
            return (null, Problems.Invalid(path, "needs a \"type\""));
        }
    }
}
