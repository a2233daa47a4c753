using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary>An API started without <c>Api:Keys</c>: development mode accepts <c>dev-admin-key</c> as admin.</summary>
[Collection(ApiCollection.Name)]
public sealed class DevelopmentKeyTests(ApiFixture api, DevelopmentKeyTests.UnkeyedApi unkeyed) : IClassFixture<DevelopmentKeyTests.UnkeyedApi>
{
    private readonly UnkeyedApi _unkeyed = unkeyed;

    [Fact]
    public async Task WithoutConfiguredKeysTheDevelopmentKeyIsAdmin()
    {
        var client = _unkeyed.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "dev-admin-key");
        await (await client.GetAsync("/v1/flows")).Expect(HttpStatusCode.OK);
        var body = HttpKit.SendWaitSend("Development flow", await client.EmailContent(), await client.SmsContent());
        var flow = await (await client.PostJson("/v1/flows", body)).Expect(HttpStatusCode.Created);
        await (await client.Post($"/v1/flows/{flow.Str("id")}/start")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task WithConfiguredKeysTheDevelopmentKeyIsUnauthorized()
    {
        await (await api.Client("dev-admin-key").GetAsync("/v1/flows")).ExpectProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task WithoutConfiguredKeysAnotherKeyIsUnauthorized()
    {
        var client = _unkeyed.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiFixture.AdminKey);
        await (await client.GetAsync("/v1/flows")).ExpectProblem(HttpStatusCode.Unauthorized);
    }

    /// <summary>The API with the fixture's free silo ports but no keys; created once for this class and disposed after it.</summary>
    public sealed class UnkeyedApi : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Orleans:SiloPort", ApiFixture.FreePort().ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("Orleans:GatewayPort", ApiFixture.FreePort().ToString(CultureInfo.InvariantCulture));
        }
    }
}
