using System.Net;
using System.Text;
using System.Text.Json;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

[Collection(ApiCollection.Name)]
public sealed class ContactsTests(ApiFixture api)
{
    private readonly HttpClient _admin = api.Client();

    [Fact]
    public async Task PutCreatesTheContactAndEchoesItsFields()
    {
        var id = TestIds.New("contact");
        var contact = await (await _admin.PutJson($"/v1/contacts/{id}", """
            {"email": "ada@example.com", "phone": "+4712345678", "firstName": "Ada", "lastName": "Lovelace", "company": "Acme",
             "timeZone": "Europe/Oslo", "attributes": {"category": "customer", "score": 7}, "tags": ["vip"]}
            """)).Expect(HttpStatusCode.OK);

        Assert.Equal(id, contact.Str("id"));
        Assert.Equal("ada@example.com", contact.Str("email"));
        Assert.Equal("+4712345678", contact.Str("phone"));
        Assert.Equal("Ada", contact.Str("firstName"));
        Assert.Equal("Lovelace", contact.Str("lastName"));
        Assert.Equal("Acme", contact.Str("company"));
        Assert.Equal("Europe/Oslo", contact.Str("timeZone"));
        Assert.Equal("customer", contact.GetProperty("attributes").GetProperty("category").GetString());
        Assert.Equal(7, contact.GetProperty("attributes").GetProperty("score").GetDouble());
        Assert.Equal(["vip"], contact.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task ConsentDefaultsToGrantedWhenOmitted()
    {
        var contact = await (await _admin.PutJson($"/v1/contacts/{TestIds.New("contact")}", """{"email": "a@example.com"}""")).Expect(HttpStatusCode.OK);
        var consent = contact.GetProperty("consent");
        Assert.True(consent.GetProperty("email").GetBoolean());
        Assert.True(consent.GetProperty("sms").GetBoolean());
        Assert.True(consent.GetProperty("push").GetBoolean());
    }

    [Fact]
    public async Task PutAgainMergesKeepsOmittedFieldsAndClearsNulls()
    {
        var id = TestIds.New("contact");
        await (await _admin.PutJson($"/v1/contacts/{id}", """
            {"email": "b@example.com", "firstName": "Bo", "company": "Acme", "attributes": {"a": 1, "b": "x"}, "consent": {"sms": false}}
            """)).Expect(HttpStatusCode.OK);
        await (await _admin.PutJson($"/v1/contacts/{id}", """{"firstName": null, "lastName": "Berg", "attributes": {"b": "y", "c": true}}"""))
            .Expect(HttpStatusCode.OK);

        var contact = await (await _admin.GetAsync($"/v1/contacts/{id}")).Expect(HttpStatusCode.OK);
        Assert.Equal("b@example.com", contact.Str("email"));
        Assert.Equal("Acme", contact.Str("company"));
        Assert.Equal("Berg", contact.Str("lastName"));
        Assert.True(contact.IsAbsentOrNull("firstName"), $"firstName was set to null and should be cleared: {contact}");
        var attributes = contact.GetProperty("attributes");
        Assert.Equal(1, attributes.GetProperty("a").GetDouble());
        Assert.Equal("y", attributes.GetProperty("b").GetString());
        Assert.True(attributes.GetProperty("c").GetBoolean());
        Assert.False(contact.GetProperty("consent").GetProperty("sms").GetBoolean());
    }

    [Fact]
    public async Task GetUnknownContactIsNotFound()
    {
        await (await _admin.GetAsync($"/v1/contacts/{TestIds.New("nobody")}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task InvalidEmailIsRejectedAtItsPath()
    {
        var id = TestIds.New("contact");
        await (await _admin.PutJson($"/v1/contacts/{id}", """{"email": "not an email"}""")).ExpectInvalid("$.email");
        await (await _admin.GetAsync($"/v1/contacts/{id}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UnknownTimeZoneIsRejectedAtItsPath()
    {
        await (await _admin.PutJson($"/v1/contacts/{TestIds.New("contact")}", """{"timeZone": "Mars/Olympus_Mons"}""")).ExpectInvalid("$.timeZone");
    }

    [Fact]
    public async Task TagsThatAreNotStringsAreRejected()
    {
        await (await _admin.PutJson($"/v1/contacts/{TestIds.New("contact")}", """{"tags": ["ok", 5]}""")).ExpectInvalidUnder("$.tags");
    }

    [Fact]
    public async Task MalformedContactBodyIsRejected()
    {
        await (await _admin.PutJson($"/v1/contacts/{TestIds.New("contact")}", """{"email": """)).ExpectInvalid();
    }

    [Fact]
    public async Task BatchUpsertsTheValidAndReportsTheInvalidByIndex()
    {
        var (a, b, c) = (TestIds.New("contact"), TestIds.New("contact"), TestIds.New("contact"));
        var result = await (await _admin.PostJson("/v1/contacts/batch", $$"""
            {"contacts": [{"id": "{{a}}", "email": "a@example.com"}, {"id": "{{b}}", "email": "broken"}, {"id": "{{c}}", "company": "Acme"}]}
            """)).Expect(HttpStatusCode.OK);

        Assert.Equal(2, result.GetProperty("upserted").GetInt32());
        var error = Assert.Single(result.GetProperty("errors").EnumerateArray());
        Assert.Equal(1, error.GetProperty("index").GetInt32());
        Assert.Contains(error.GetProperty("errors").EnumerateObject(), e => e.Name.EndsWith(".email", StringComparison.Ordinal));
        await (await _admin.GetAsync($"/v1/contacts/{a}")).Expect(HttpStatusCode.OK);
        await (await _admin.GetAsync($"/v1/contacts/{b}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await _admin.GetAsync($"/v1/contacts/{c}")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task BatchOverTenThousandIsRejected()
    {
        var body = new StringBuilder("{\"contacts\": [");
        for (var i = 0; i <= 10_000; i++) body.Append(i == 0 ? "{}" : ",{}");
        body.Append("]}");
        await (await _admin.PostJson("/v1/contacts/batch", body.ToString())).ExpectInvalid("$.contacts");
    }

    [Fact]
    public async Task DeleteErasesTheContact()
    {
        var id = await _admin.Contact();
        await (await _admin.DeleteAsync($"/v1/contacts/{id}")).Expect(HttpStatusCode.NoContent);
        await (await _admin.GetAsync($"/v1/contacts/{id}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeleteUnknownContactIsNotFound()
    {
        await (await _admin.DeleteAsync($"/v1/contacts/{TestIds.New("nobody")}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ContactListsTheFlowsItIsIn()
    {
        var flow = await _admin.Flow(start: true);
        var contact = await _admin.Contact();
        await _admin.Enroll(flow, contact);

        var body = await _admin.EventuallyGet($"/v1/contacts/{contact}",
            c => c.TryGetProperty("flows", out var f) && f.ValueKind == JsonValueKind.Array && f.GetArrayLength() > 0 && f[0].Str("status") == "waiting",
            "the contact lists its flow as waiting");
        var entry = Assert.Single(body.GetProperty("flows").EnumerateArray());
        Assert.Equal(flow, entry.Str("flowId"));
        Assert.Equal("pause", entry.Str("currentStepId"));
    }
}
