using System.Globalization;
using System.Net;
using System.Text;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary>POST /v1/events: counts, idempotency by event id, validation of the whole batch, and who may post.</summary>
[Collection(ApiCollection.Name)]
public sealed class EventsTests(ApiFixture api)
{
    private readonly HttpClient _admin = api.Client();

    [Fact]
    public async Task BatchIsAcceptedAndTheSameBatchAgainIsAllDuplicates()
    {
        var contact = await _admin.Contact();
        string[] batch =
        [
            HttpKit.Event(contact, "page.viewed", """{"url": "https://example.com/pricing"}"""),
            HttpKit.Event(contact, "page.viewed", """{"url": "https://example.com/signup"}"""),
            HttpKit.Event(contact, "form.submitted", """{"formId": "newsletter", "fields": 3, "consent": true}"""),
        ];

        var first = await (await _admin.PostEvents(batch)).Expect(HttpStatusCode.Accepted);
        Assert.Equal(3, first.GetProperty("accepted").GetInt32());
        Assert.Equal(0, first.GetProperty("duplicates").GetInt32());

        var again = await (await _admin.PostEvents(batch)).Expect(HttpStatusCode.Accepted);
        Assert.Equal(0, again.GetProperty("accepted").GetInt32());
        Assert.Equal(3, again.GetProperty("duplicates").GetInt32());
    }

    [Fact]
    public async Task BatchOfKnownAndNewIdsCountsEachOnce()
    {
        var contact = await _admin.Contact();
        var known = HttpKit.Event(contact, "page.viewed");
        Assert.Equal((1, 0), await _admin.Ingest(known));

        Assert.Equal((1, 1), await _admin.Ingest(known, HttpKit.Event(contact, "page.viewed")));
    }

    [Fact]
    public async Task IdRepeatedWithinOneBatchIsADuplicate()
    {
        var contact = await _admin.Contact();
        var id = TestIds.New("event");
        Assert.Equal((1, 1), await _admin.Ingest(HttpKit.Event(contact, "page.viewed", id: id), HttpKit.Event(contact, "page.viewed", id: id)));
    }

    [Fact]
    public async Task BatchMayHoldEventsOfSeveralContacts()
    {
        var (one, two, three) = (await _admin.Contact(), await _admin.Contact(), await _admin.Contact());
        Assert.Equal((4, 0), await _admin.Ingest(
            HttpKit.Event(one, "page.viewed"), HttpKit.Event(two, "page.viewed"), HttpKit.Event(three, "page.viewed"), HttpKit.Event(one, "link.clicked")));
    }

    [Theory]
    [InlineData("form.submitted")]
    [InlineData("trial_started")]
    [InlineData("my-app.subscription:renewed")]
    [InlineData("Webinar.Attended/2026")]
    public async Task AnyCustomEventTypeIsAccepted(string type)
    {
        var contact = await _admin.Contact();
        Assert.Equal((1, 0), await _admin.Ingest(HttpKit.Event(contact, type, """{"plan": "pro", "seats": 5, "annual": false, "note": null}""")));
    }

    [Theory]
    [InlineData("\"occurredAt\": \"2025-06-01T08:30:00Z\"")]
    [InlineData("\"occurredAt\": \"2025-06-01T10:30:00+02:00\"")]
    [InlineData("\"occurredAt\": null")]
    public async Task OccurredAtMayBeInThePastOrLeftOut(string occurredAt)
    {
        var contact = await _admin.Contact();
        Assert.Equal((1, 0), await _admin.Ingest(HttpKit.Event(contact, "sale.created", extra: occurredAt)));
    }

    [Fact]
    public async Task OccurredAtAFewSecondsAheadIsAcceptedAsClockSkew()
    {
        var contact = await _admin.Contact();
        var soon = DateTimeOffset.UtcNow.AddSeconds(5).ToString("O", CultureInfo.InvariantCulture);
        Assert.Equal((1, 0), await _admin.Ingest(HttpKit.Event(contact, "page.viewed", extra: $"\"occurredAt\": \"{soon}\"")));
    }

    /// <summary>
    /// A batch of one valid and one invalid event is a 400 that names the invalid field, and records nothing: the
    /// valid event posted alone afterwards is accepted, not a duplicate.
    /// </summary>
    [Theory]
    [InlineData("""{"contactId": "{contact}", "type": "page.viewed"}""", "id")]
    [InlineData("""{"id": "", "contactId": "{contact}", "type": "page.viewed"}""", "id")]
    [InlineData("""{"id": "has space", "contactId": "{contact}", "type": "page.viewed"}""", "id")]
    [InlineData("""{"id": 42, "contactId": "{contact}", "type": "page.viewed"}""", "id")]
    [InlineData("""{"id": "{id}", "type": "page.viewed"}""", "contactId")]
    [InlineData("""{"id": "{id}", "contactId": "a/b", "type": "page.viewed"}""", "contactId")]
    [InlineData("""{"id": "{id}", "contactId": "{contact}"}""", "type")]
    [InlineData("""{"id": "{id}", "contactId": "{contact}", "type": ""}""", "type")]
    [InlineData("""{"id": "{id}", "contactId": "{contact}", "type": "page viewed"}""", "type")]
    [InlineData("""{"id": "{id}", "contactId": "{contact}", "type": "page.viewed", "occurredAt": "yesterday"}""", "occurredAt")]
    [InlineData("""{"id": "{id}", "contactId": "{contact}", "type": "page.viewed", "occurredAt": "2025-13-45T00:00:00Z"}""", "occurredAt")]
    [InlineData("""{"id": "{id}", "contactId": "{contact}", "type": "page.viewed", "occurredAt": 1750000000}""", "occurredAt")]
    [InlineData("""{"id": "{id}", "contactId": "{contact}", "type": "page.viewed", "occurredAt": "{future}"}""", "occurredAt")]
    [InlineData("""{"id": "{id}", "contactId": "{contact}", "type": "page.viewed", "properties": "formId=demo"}""", "properties")]
    [InlineData("""{"id": "{id}", "contactId": "{contact}", "type": "page.viewed", "properties": ["demo"]}""", "properties")]
    [InlineData("""{"id": "{id}", "contactId": "{contact}", "type": "page.viewed", "properties": 7}""", "properties")]
    public async Task InvalidEventRejectsTheWholeBatch(string invalid, string field)
    {
        var contact = await _admin.Contact();
        var valid = HttpKit.Event(contact, "page.viewed");
        invalid = invalid
            .Replace("{contact}", contact, StringComparison.Ordinal)
            .Replace("{id}", TestIds.New("event"), StringComparison.Ordinal)
            .Replace("{future}", DateTimeOffset.UtcNow.AddDays(1).ToString("O", CultureInfo.InvariantCulture), StringComparison.Ordinal);

        await (await _admin.PostEvents(valid, invalid)).ExpectInvalid($"$.events[1].{field}");

        Assert.Equal((1, 0), await _admin.Ingest(valid));
    }

    [Fact]
    public async Task EveryInvalidEventIsNamedByItsIndex()
    {
        var contact = await _admin.Contact();
        var valid = HttpKit.Event(contact, "page.viewed");
        var errors = await (await _admin.PostEvents(
            valid,
            $$"""{"contactId": "{{contact}}", "type": "page.viewed"}""",
            HttpKit.Event(contact, "page.viewed", extra: "\"occurredAt\": \"soon\""),
            $$"""{"id": "{{TestIds.New("event")}}", "type": "page.viewed", "properties": [1]}""")).ExpectInvalid("$.events[1].id");

        Assert.True(errors.TryGetProperty("$.events[2].occurredAt", out _), $"expected an error at $.events[2].occurredAt: {errors}");
        Assert.True(errors.TryGetProperty("$.events[3].contactId", out _), $"expected an error at $.events[3].contactId: {errors}");
        Assert.True(errors.TryGetProperty("$.events[3].properties", out _), $"expected an error at $.events[3].properties: {errors}");
        Assert.DoesNotContain(errors.EnumerateObject(), e => e.Name.StartsWith("$.events[0]", StringComparison.Ordinal));
        Assert.Equal((1, 0), await _admin.Ingest(valid));
    }

    [Fact]
    public async Task EventThatIsNotAnObjectIsRejectedAtItsIndex()
    {
        var contact = await _admin.Contact();
        var valid = HttpKit.Event(contact, "page.viewed");
        await (await _admin.PostEvents(valid, "\"page.viewed\"")).ExpectInvalid("$.events[1]");
        Assert.Equal((1, 0), await _admin.Ingest(valid));
    }

    [Theory]
    [InlineData("""[{"id": "e1", "contactId": "c1", "type": "page.viewed"}]""")]
    [InlineData("""{}""")]
    [InlineData("""{"event": [{"id": "e1", "contactId": "c1", "type": "page.viewed"}]}""")]
    [InlineData("""{"events": {"id": "e1", "contactId": "c1", "type": "page.viewed"}}""")]
    [InlineData("""{"events": "e1"}""")]
    [InlineData("""{"events": null}""")]
    [InlineData("""{"events": []}""")]
    public async Task BodyWithoutAListOfEventsIsRejected(string body)
    {
        await (await _admin.PostJson("/v1/events", body)).ExpectInvalid("$.events");
    }

    [Fact]
    public async Task MoreThanTenThousandEventsAreRejected()
    {
        var contact = await _admin.Contact();
        var first = HttpKit.Event(contact, "page.viewed");
        var body = new StringBuilder("{\"events\": [").Append(first);
        for (var i = 1; i <= 10_000; i++) body.Append(", {\"id\": \"e").Append(i).Append("\", \"contactId\": \"").Append(contact).Append("\", \"type\": \"page.viewed\"}");
        body.Append("]}");

        var problem = await (await _admin.PostJson("/v1/events", body.ToString())).ExpectInvalid("$.events");

        Assert.Contains("10000", problem.GetProperty("$.events")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal((1, 0), await _admin.Ingest(first));
    }

    [Theory]
    [InlineData("""{"events": [{"id": "e1", "contactId": "c1", "type": "page.viewed"}""")]
    [InlineData("""{"events": [{"id": "e1", "contactId": "c1", "type": page.viewed}]}""")]
    [InlineData("""events=e1""")]
    [InlineData("")]
    public async Task MalformedJsonIsRejected(string body)
    {
        await (await _admin.PostJson("/v1/events", body)).ExpectInvalid();
    }

    // ---- roles ----

    [Fact]
    public async Task IngestKeyMayWriteContactsAndPostEvents()
    {
        var ingest = api.Client(ApiFixture.IngestKey);
        var contact = TestIds.New("contact");
        var written = await (await ingest.PutJson($"/v1/contacts/{contact}", """{"email": "ingest@example.com"}""")).Expect(HttpStatusCode.OK);
        Assert.Equal(contact, written.Str("id"));

        Assert.Equal((1, 0), await ingest.Ingest(HttpKit.Event(contact, "form.submitted", """{"formId": "contact-us"}""")));
    }

    [Fact]
    public async Task EditorMayNotPostEvents()
    {
        var contact = await _admin.Contact();
        var e = HttpKit.Event(contact, "page.viewed");
        await (await api.Client(ApiFixture.EditorKey).PostEvents(e)).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal((1, 0), await _admin.Ingest(e));
    }

    [Fact]
    public async Task PostingEventsWithoutAKeyIsUnauthorized()
    {
        var contact = await _admin.Contact();
        var e = HttpKit.Event(contact, "page.viewed");
        await (await api.Client(null).PostEvents(e)).ExpectProblem(HttpStatusCode.Unauthorized);
        await (await api.Client("no-such-key").PostEvents(e)).ExpectProblem(HttpStatusCode.Unauthorized);
        Assert.Equal((1, 0), await _admin.Ingest(e));
    }
}
