using System.Text.Json.Nodes;

namespace Orleans.Flows.Api.OpenApi;

/// <summary>RFC 7807 answers as the service writes them (taken from real responses), one per status.</summary>
public static class ProblemExamples
{
    private const string Rfc9110 = "https://tools.ietf.org/html/rfc9110#section-";
    private const string TraceId = "00-103d9e5d2286fa33ec840b250ddcf394-d3b34fc4f467859c-00";

    public static JsonNode Validation() => Problem(400, Rfc9110 + "15.5.1", "One or more fields are not valid.", "The request is not valid.",
        new JsonObject { ["id"] = new JsonArray("must be 1-128 characters of A-Z, a-z, 0-9 and . _ : @ -") });

    public static JsonNode InvalidFlow() => Problem(400, Rfc9110 + "15.5.1", "One or more fields are not valid.", "The flow definition is not valid.",
        new JsonObject
        {
            ["$.steps[0].next"] = new JsonArray("points to no step: 'b'"),
            ["$.steps[1].duration"] = new JsonArray("expected an ISO-8601 duration such as \"PT30S\" or \"P2D\""),
        });

    public static JsonNode InvalidEvents() => Problem(400, Rfc9110 + "15.5.1", "One or more fields are not valid.", "No event was recorded.",
        new JsonObject
        {
            ["$.events[2].contactId"] = new JsonArray("must be 1-128 characters of A-Z, a-z, 0-9 and . _ : @ -"),
            ["$.events[5].occurredAt"] = new JsonArray("may not be in the future"),
        });

    public static JsonNode Unauthorized() => Problem(401, Rfc9110 + "15.5.2", "Unauthorized", "Send a valid API key in the X-Api-Key header.");

    public static JsonNode Forbidden() => Problem(403, Rfc9110 + "15.5.4", "Forbidden", "This API key's role may not make this call.");

    public static JsonNode NotFound() => Problem(404, Rfc9110 + "15.5.5", "Not found", "Flow 'welcome' does not exist.");

    public static JsonNode Conflict() => Problem(409, Rfc9110 + "15.5.10", "Conflict with the current state", "Flow 'welcome' is running; only a draft or paused flow can be edited.");

    public static JsonNode TooLarge() => Problem(413, Rfc9110 + "15.5.14", "Request body too large", "Request body too large. The max request body size is 16777216 bytes.");

    public static JsonNode TooManyRequests() => Problem(429, "https://tools.ietf.org/html/rfc6585#section-4", "Too many requests", "This API key made more requests a second than it may; retry after the Retry-After header's seconds.");

    private static JsonObject Problem(int status, string type, string title, string detail, JsonObject? errors = null)
    {
        var problem = new JsonObject
        {
            ["type"] = type,
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
        };
        if (errors is not null) problem["errors"] = errors;
        problem["traceId"] = TraceId;
        return problem;
    }
}
