using System.Net;
using Orleans.Flows.Tests.Infrastructure;
using Orleans.Flows.Values;

namespace Orleans.Flows.Tests.Http;

/// <summary>The bounds of <see cref="InputLimits"/> at their edges: the last value allowed passes, the first beyond is a 400 naming the path.</summary>
[Collection(ApiCollection.Name)]
public sealed class InputLimitTests(ApiFixture api)
{
    private readonly HttpClient _admin = api.Client(ApiFixture.AdminKey);

    private static string Nested(int nots) =>
        string.Concat(Enumerable.Repeat("{\"not\": ", nots)) + """{"attribute": "email", "op": "exists"}""" + new string('}', nots);

    [Fact]
    public async Task AnIdOf128CharactersIsAcceptedAndOf129Refused()
    {
        var longest = "c" + Guid.NewGuid().ToString("N") + new string('x', InputLimits.MaxIdLength - 33);
        Assert.Equal(InputLimits.MaxIdLength, longest.Length);
        await (await _admin.PutJson($"/v1/contacts/{longest}", "{}")).Expect(HttpStatusCode.OK);
        await (await _admin.PutJson($"/v1/contacts/{longest}y", "{}")).ExpectInvalid("id");
        await (await _admin.GetAsync($"/v1/contacts/{longest}y")).ExpectInvalid("id");
    }

    [Fact]
    public async Task AConditionNested16DeepIsAcceptedAnd17Refused()
    {
        var id = TestIds.New("segment");
        await (await _admin.PutJson($"/v1/segments/{id}", "{\"name\": \"Deep\", \"filter\": " + Nested(InputLimits.MaxConditionDepth) + "}")).Expect(HttpStatusCode.OK);
        var refused = TestIds.New("segment");
        await (await _admin.PutJson($"/v1/segments/{refused}", "{\"name\": \"Deeper\", \"filter\": " + Nested(InputLimits.MaxConditionDepth + 1) + "}")).ExpectInvalidUnder("$.filter");
        await (await _admin.GetAsync($"/v1/segments/{refused}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AFlowFilterNested17DeepIsRefusedNamingItsPath()
    {
        var definition = HttpKit.SendWaitSend("Deep", await _admin.EmailContent(), await _admin.SmsContent(), extra: "\"filter\": " + Nested(InputLimits.MaxConditionDepth + 1) + ",");
        await (await _admin.PostJson("/v1/flows", definition)).ExpectInvalidUnder("$.filter");
    }

    [Fact]
    public async Task AnUnknownStatusInAQueryIsRefusedNamingIt()
    {
        await (await _admin.GetAsync("/v1/flows?status=bogus")).ExpectInvalid("status");
        await (await _admin.GetAsync("/v1/messages?status=bogus")).ExpectInvalid("status");
    }

    [Fact]
    public async Task AnUnknownChannelIsRefusedNamingTheChannelsThereAre()
    {
        var id = TestIds.New("content");
        var errors = await (await _admin.PutJson($"/v1/content/{id}", """{"channel": "fax", "name": "Fax", "text": "Hi"}""")).ExpectInvalid("$.channel");
        var message = errors.GetProperty("$.channel")[0].GetString()!;
        foreach (var channel in new[] { "email", "sms", "push" })
            Assert.Contains(channel, message, StringComparison.Ordinal);
        await (await _admin.GetAsync($"/v1/content/{id}")).ExpectProblem(HttpStatusCode.NotFound);
    }
}
