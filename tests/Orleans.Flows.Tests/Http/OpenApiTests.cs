using System.Net;
using System.Text.Json;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

[Collection(ApiCollection.Name)]
public sealed class OpenApiTests(ApiFixture api)
{
    [Fact]
    public async Task OpenApiDocumentDescribesTheFlowsApi()
    {
        var document = await (await api.Client(null).GetAsync("/openapi/v1.json")).Expect(HttpStatusCode.OK);
        var paths = document.GetProperty("paths");
        Assert.Equal(JsonValueKind.Object, paths.ValueKind);
        Assert.True(paths.TryGetProperty("/v1/flows", out _), "paths lacks /v1/flows");
        Assert.True(paths.TryGetProperty("/v1/flows/{id}", out _), "paths lacks /v1/flows/{id}");
        Assert.True(paths.TryGetProperty("/v1/contacts/{id}", out _), "paths lacks /v1/contacts/{id}");
    }
}
