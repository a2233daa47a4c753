using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c> against API.md, against the routes the app really maps, and against
/// the API itself (its request examples are sent and must be accepted); and the reference page at <c>/docs</c>.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiTests(ApiFixture api)
{
    private const string ProblemJson = "application/problem+json";

    /// <summary>Every call of API.md: method, path as the document writes it, whether it takes a body, and its answers.</summary>
    public static readonly TheoryData<string, string, bool, int[]> ApiMd = new()
    {
        { "PUT", "/v1/contacts/{id}", true, [200, 400] },
        { "POST", "/v1/contacts/batch", true, [200, 400] },
        { "GET", "/v1/contacts/{id}", false, [200, 404] },
        { "DELETE", "/v1/contacts/{id}", false, [204, 404] },
        { "POST", "/v1/events", true, [202, 400] },
        { "PUT", "/v1/content/{id}", true, [200, 400] },
        { "GET", "/v1/content", false, [200] },
        { "GET", "/v1/content/{id}", false, [200, 404] },
        { "DELETE", "/v1/content/{id}", false, [204, 404, 409] },
        { "PUT", "/v1/segments/{id}", true, [200, 400] },
        { "GET", "/v1/segments/{id}", false, [200, 404] },
        { "POST", "/v1/segments/{id}/members", true, [200, 400, 404, 409] },
        { "DELETE", "/v1/segments/{id}/members/{contactId}", false, [204, 404, 409] },
        { "POST", "/v1/flows", true, [201, 400, 409] },
        { "PUT", "/v1/flows/{id}", true, [200, 400, 404, 409] },
        { "GET", "/v1/flows", false, [200, 400] },
        { "GET", "/v1/flows/{id}", false, [200, 404] },
        { "POST", "/v1/flows/{id}/start", false, [200, 404, 409] },
        { "POST", "/v1/flows/{id}/pause", false, [200, 404, 409] },
        { "POST", "/v1/flows/{id}/end", false, [200, 404, 409] },
        { "DELETE", "/v1/flows/{id}", false, [204, 404, 409] },
        { "POST", "/v1/flows/{flowId}/participants", true, [200, 400, 404, 409] },
        { "POST", "/v1/flows/{flowId}/enrollments", true, [202, 400, 404, 409] },
        { "GET", "/v1/flows/{flowId}/enrollments/{jobId}", false, [200, 404] },
        { "GET", "/v1/flows/{flowId}/participants", false, [200, 400, 404] },
        { "GET", "/v1/flows/{flowId}/participants/{contactId}", false, [200, 404] },
        { "DELETE", "/v1/flows/{flowId}/participants/{contactId}", false, [204, 404, 409] },
        { "GET", "/v1/flows/{id}/stats", false, [200, 404] },
        { "GET", "/v1/messages", false, [200, 400] },
        { "GET", "/v1/messages/{id}", false, [200, 404] },
        { "GET", "/t/o/{token}", false, [200, 404] },
        { "GET", "/t/c/{token}", false, [302, 404] },
        { "GET", "/u/{token}", false, [200, 404] },
        { "POST", "/u/{token}", true, [200, 404] },
        { "GET", "/health/live", false, [200] },
        { "GET", "/health/ready", false, [200, 503] },
    };

    [Theory]
    [MemberData(nameof(ApiMd))]
    public async Task EveryCallOfApiMdIsDocumented(string method, string path, bool hasBody, int[] statuses)
    {
        var document = await Document();
        var operation = Operation(document, method, path);
        Assert.False(string.IsNullOrWhiteSpace(operation.Str("summary")), $"{method} {path} has no summary");

        if (hasBody)
        {
            Assert.True(operation.TryGetProperty("requestBody", out var body), $"{method} {path} documents no request body");
            var media = Assert.Single(body.GetProperty("content").EnumerateObject()).Value;
            Assert.True(media.TryGetProperty("schema", out _), $"{method} {path}: the body has no schema");
            Assert.True(media.TryGetProperty("examples", out var examples) && examples.EnumerateObject().Any(), $"{method} {path}: the body has no example");
        }

        var responses = operation.GetProperty("responses");
        foreach (var status in statuses)
            Assert.True(responses.TryGetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out _), $"{method} {path} does not document {status}");

        var isV1 = path.StartsWith("/v1/", StringComparison.Ordinal);
        var problems = new List<int>(statuses.Where(s => s >= 400 && s != 503));
        if (isV1) problems.AddRange([401, 403, 429]);
        if (isV1 && hasBody) problems.Add(413);
        foreach (var status in problems)
        {
            var response = responses.GetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var problem = default(JsonElement);
            Assert.True(response.TryGetProperty("content", out var content) && content.TryGetProperty(ProblemJson, out problem),
                $"{method} {path}: {status} is not documented as {ProblemJson}");
            Assert.True(problem.TryGetProperty("examples", out _), $"{method} {path}: {status} has no example");
            if (status == 400)
                Assert.True(Resolve(document, problem.GetProperty("schema")).GetProperty("properties").TryGetProperty("errors", out _),
                    $"{method} {path}: the 400 schema has no errors");
        }

        var keyRequired = operation.TryGetProperty("security", out var security) &&
                          security.EnumerateArray().Any(r => r.TryGetProperty("ApiKey", out _));
        Assert.True(keyRequired == isV1, $"{method} {path}: the X-Api-Key requirement is {(keyRequired ? "" : "not ")}documented");
        if (isV1)
            Assert.Contains("**Roles:**", operation.Str("description"));
    }

    [Fact]
    public async Task TheKeyIsAnApiKeyHeader()
    {
        var scheme = (await Document()).GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("apiKey", scheme.Str("type"));
        Assert.Equal("header", scheme.Str("in"));
        Assert.Equal("X-Api-Key", scheme.Str("name"));
    }

    [Theory]
    [InlineData("PUT", "/v1/contacts/{id}", new[] { "admin", "ingest" })]
    [InlineData("GET", "/v1/flows", new[] { "admin", "editor" })]
    [InlineData("PUT", "/v1/content/{id}", new[] { "admin", "editor" })]
    [InlineData("DELETE", "/v1/content/{id}", new[] { "admin" })]
    [InlineData("POST", "/v1/flows/{id}/start", new[] { "admin" })]
    public async Task EachOperationNamesTheRolesThatMayCallIt(string method, string path, string[] roles)
    {
        var operation = Operation(await Document(), method, path);
        Assert.Equal(roles, operation.GetProperty("x-roles").EnumerateArray().Select(r => r.GetString()).Order());
    }

    [Fact]
    public async Task EveryRouteTheAppMapsIsDocumented()
    {
        var document = await Document();
        var routes = api.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (Method: m, Path: "/" + e.RoutePattern.RawText!.Trim('/'))))
            .ToList();
        Assert.NotEmpty(routes);
        var missing = routes.Where(r => !HasOperation(document, r.Method, r.Path)).Select(r => $"{r.Method} {r.Path}").ToList();
        Assert.True(missing.Count == 0, "mapped but not in the OpenAPI document: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task TheDocumentedFlowBodiesCarryEveryFieldOfADefinition()
    {
        var schemas = (await Document()).GetProperty("components").GetProperty("schemas");
        var definition = Properties(schemas, "FlowDefinition");
        Assert.Empty(definition.Except(Properties(schemas, "NewFlowBody")));
        Assert.Empty(definition.Except(Properties(schemas, "FlowResponse")));
    }

    /// <summary>The examples are sent as they are written in the document, in the order a client would, and must be accepted; each answer may only carry documented fields.</summary>
    [Fact]
    public async Task TheRequestExamplesAreAcceptedAsTheyAreWritten()
    {
        var document = await Document();
        var admin = api.Client();

        async Task Send(string method, string template, string url, string example, HttpStatusCode expected)
        {
            var operation = Operation(document, method, template);
            var media = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
            var body = media.GetProperty("examples").GetProperty(example).GetProperty("value").GetRawText();
            using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await admin.SendAsync(request);
            var answer = await response.Expect(expected);
            var schema = operation.GetProperty("responses").GetProperty(((int)expected).ToString(System.Globalization.CultureInfo.InvariantCulture))
                .GetProperty("content").GetProperty("application/json").GetProperty("schema");
            var documented = Resolve(document, schema).GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet();
            var undocumented = answer.EnumerateObject().Select(p => p.Name).Where(n => !documented.Contains(n)).ToList();
            Assert.True(undocumented.Count == 0, $"{method} {url} answered fields its schema lacks: {string.Join(", ", undocumented)}");
        }

        await Send("PUT", "/v1/content/{id}", "/v1/content/welcome-email", "email", HttpStatusCode.OK);
        await Send("PUT", "/v1/content/{id}", "/v1/content/thanks", "email", HttpStatusCode.OK);
        await Send("PUT", "/v1/content/{id}", "/v1/content/nudge-sms", "sms", HttpStatusCode.OK);
        await Send("PUT", "/v1/content/{id}", "/v1/content/offer-push", "push", HttpStatusCode.OK);
        await Send("PUT", "/v1/contacts/{id}", "/v1/contacts/ada", "contact", HttpStatusCode.OK);
        await Send("PUT", "/v1/contacts/{id}", "/v1/contacts/ada", "change", HttpStatusCode.OK);
        await Send("POST", "/v1/contacts/batch", "/v1/contacts/batch", "batch", HttpStatusCode.OK);
        await Send("POST", "/v1/events", "/v1/events", "events", HttpStatusCode.Accepted);
        await Send("PUT", "/v1/segments/{id}", "/v1/segments/customers", "filter", HttpStatusCode.OK);
        await Send("PUT", "/v1/segments/{id}", "/v1/segments/webinar", "list", HttpStatusCode.OK);
        await Send("POST", "/v1/segments/{id}/members", "/v1/segments/webinar/members", "contacts", HttpStatusCode.OK);
        await Send("POST", "/v1/flows", "/v1/flows", "welcome", HttpStatusCode.Created);
        await Send("POST", "/v1/flows", "/v1/flows", "event-triggered", HttpStatusCode.Created);
        await Send("PUT", "/v1/flows/{id}", "/v1/flows/welcome", "welcome", HttpStatusCode.OK);
        await (await admin.Post("/v1/flows/welcome/start")).Expect(HttpStatusCode.OK);
        await Send("POST", "/v1/flows/{flowId}/participants", "/v1/flows/welcome/participants", "contacts", HttpStatusCode.OK);
        await Send("POST", "/v1/flows/{flowId}/enrollments", "/v1/flows/welcome/enrollments", "segment", HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task TheReferencePageIsServedWithoutAKeyAndReadsTheDocument()
    {
        var client = api.Client(null);
        using var page = await client.GetAsync("/docs");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", html);

        // Its script comes from the app itself, not from a CDN.
        Assert.Contains("<script src=\"scalar.js\"></script>", html);
        using var script = await client.GetAsync(new Uri(page.RequestMessage!.RequestUri!, "scalar.js"));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    // ---- reading the document ----

    private async Task<JsonElement> Document() =>
        await (await api.Client(null).GetAsync("/openapi/v1.json")).Expect(HttpStatusCode.OK);

    private static JsonElement Operation(JsonElement document, string method, string path)
    {
        Assert.True(document.GetProperty("paths").TryGetProperty(path, out var item), $"the document has no path {path}");
        Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out var operation), $"the document has no {method} {path}");
        return operation;
    }

    private static bool HasOperation(JsonElement document, string method, string path) =>
        document.GetProperty("paths").TryGetProperty(path, out var item) && item.TryGetProperty(method.ToLowerInvariant(), out _);

    private static JsonElement Resolve(JsonElement document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!["#/components/schemas/".Length..])
            : schema;

    private static HashSet<string> Properties(JsonElement schemas, string name) =>
        [.. schemas.GetProperty(name).GetProperty("properties").EnumerateObject().Select(p => p.Name)];
}
