using System.Net;
using System.Net.Http.Json;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

[Collection(ApiCollection.Name)]
public sealed class EnrollmentTests(ApiFixture api)
{
    private const string CustomerFilter = """ "filter": {"attribute": "attributes.category", "op": "eq", "value": "customer"},""";

    private readonly HttpClient _admin = api.Client();

    private Task<HttpResponseMessage> Enroll(string flow, params string[] contactIds) =>
        _admin.PostAsJsonAsync($"/v1/flows/{flow}/participants", new { contactIds });

    [Fact]
    public async Task EnrollsKnownContactsAndSaysWhyOthersWereSkipped()
    {
        var flow = await _admin.Flow(start: true, extra: CustomerFilter);
        var customer = await _admin.Contact("""{"email": "c@example.com", "attributes": {"category": "customer"}}""");
        var unknown = TestIds.New("nobody");
        var prospect = await _admin.Contact("""{"email": "p@example.com", "attributes": {"category": "prospect"}}""");

        var result = await (await Enroll(flow, customer, unknown, prospect)).Expect(HttpStatusCode.OK);

        Assert.Equal(1, result.GetProperty("enrolled").GetInt32());
        var skipped = result.GetProperty("skipped").EnumerateArray().ToDictionary(s => s.Str("contactId")!, s => s.Str("reason"));
        Assert.Equal(2, skipped.Count);
        Assert.Equal("contact_not_found", skipped[unknown]);
        Assert.Equal("filtered_out", skipped[prospect]);
        await (await _admin.GetAsync($"/v1/flows/{flow}/participants/{customer}")).Expect(HttpStatusCode.OK);
        await (await _admin.GetAsync($"/v1/flows/{flow}/participants/{prospect}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task EnrollingAgainSaysAlreadyEnrolled()
    {
        var flow = await _admin.Flow(start: true);
        var contact = await _admin.Contact();
        await _admin.Enroll(flow, contact);

        var again = await (await Enroll(flow, contact)).Expect(HttpStatusCode.OK);
        Assert.Equal(0, again.GetProperty("enrolled").GetInt32());
        var skip = Assert.Single(again.GetProperty("skipped").EnumerateArray());
        Assert.Equal(contact, skip.Str("contactId"));
        Assert.Equal("already_enrolled", skip.Str("reason"));
    }

    [Fact]
    public async Task EnrollingIntoADraftIsAConflict()
    {
        var flow = await _admin.Flow();
        var contact = await _admin.Contact();
        await (await Enroll(flow, contact)).ExpectProblem(HttpStatusCode.Conflict);
        await (await _admin.GetAsync($"/v1/flows/{flow}/participants/{contact}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task EnrollingIntoAPausedFlowIsAConflict()
    {
        var flow = await _admin.Flow(start: true);
        await (await _admin.Post($"/v1/flows/{flow}/pause")).Expect(HttpStatusCode.OK);
        await (await Enroll(flow, await _admin.Contact())).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task EnrollingIntoAnEndedFlowIsAConflict()
    {
        var flow = await _admin.Flow(start: true);
        await (await _admin.Post($"/v1/flows/{flow}/end")).Expect(HttpStatusCode.OK);
        await (await Enroll(flow, await _admin.Contact())).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task EmptyContactIdsAreRejected()
    {
        var flow = await _admin.Flow(start: true);
        await (await _admin.PostJson($"/v1/flows/{flow}/participants", """{"contactIds": []}""")).ExpectInvalid("$.contactIds");
    }

    [Fact]
    public async Task MissingContactIdsAreRejected()
    {
        var flow = await _admin.Flow(start: true);
        await (await _admin.PostJson($"/v1/flows/{flow}/participants", """{"contacts": ["x"]}""")).ExpectInvalid("$.contactIds");
    }

    [Fact]
    public async Task InvalidContactIdIsRejectedAtItsIndex()
    {
        var flow = await _admin.Flow(start: true);
        var contact = await _admin.Contact();
        await (await _admin.PostJson($"/v1/flows/{flow}/participants", $$"""{"contactIds": ["{{contact}}", "has space", 7]}""")).ExpectInvalid("$.contactIds[1]");
        await (await _admin.GetAsync($"/v1/flows/{flow}/participants/{contact}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task MalformedEnrollmentBodyIsRejected()
    {
        var flow = await _admin.Flow(start: true);
        await (await _admin.PostJson($"/v1/flows/{flow}/participants", """{"contactIds": ["a", """)).ExpectInvalid();
    }

    [Fact]
    public async Task EnrollingIntoAnUnknownFlowIsNotFound()
    {
        await (await Enroll(TestIds.New("nothing"), await _admin.Contact())).ExpectProblem(HttpStatusCode.NotFound);
    }
}
