using System.Net;
using System.Net.Http.Json;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary>Re-entry over HTTP: whether a contact whose journey ended may start the flow again, by an event or by hand.</summary>
[Collection(ApiCollection.Name)]
public sealed class ReentryTests(ApiFixture api)
{
    private readonly HttpClient _admin = api.Client();

    /// <summary>sendEmail → end: a journey that completes as soon as it starts.</summary>
    private async Task<string> ShortFlow(string trigger, string reentry)
    {
        var email = await _admin.EmailContent();
        return await _admin.CreateFlow($$"""
            {
              "name": "Short {{TestIds.New("short")}}",
              "trigger": {{trigger}},
              "reentry": {{reentry}},
              "startStepId": "hello",
              "steps": [
                {"id": "hello", "type": "sendEmail", "contentId": "{{email}}", "next": "done"},
                {"id": "done", "type": "end"}
              ]
            }
            """);
    }

    private static string FormTrigger(string formId) =>
        $$$"""{"type": "event", "event": "form.submitted", "where": {"property": "formId", "op": "eq", "value": "{{{formId}}}"}}""";

    private static string FormSubmitted(string contactId, string formId) => HttpKit.Event(contactId, "form.submitted", $$"""{"formId": "{{formId}}"}""");

    private async Task<DateTimeOffset> CompletedOnce(string flow, string contact, string formId)
    {
        Assert.Equal((1, 0), await _admin.Ingest(FormSubmitted(contact, formId)));
        var completed = await _admin.EventuallyParticipant(flow, contact, p => p.Str("status") == "completed", "the first journey completes");
        await _admin.EventuallyStats(flow, s => s.Long("enrolled") == 1 && s.Long("completed") == 1, "stats count one completed journey");
        return completed.GetProperty("enrolledAt").GetDateTimeOffset();
    }

    [Fact]
    public async Task AlwaysEnrollsAgainOnANewEventAfterTheJourneyCompleted()
    {
        var formId = TestIds.New("form");
        var flow = await ShortFlow(FormTrigger(formId), "\"always\"");
        var contact = await _admin.Contact();
        var firstEnrolledAt = await CompletedOnce(flow, contact, formId);

        Assert.Equal((1, 0), await _admin.Ingest(FormSubmitted(contact, formId)));

        var stats = await _admin.EventuallyStats(flow, s => s.Long("enrolled") == 2 && s.GetProperty("sends").Long("sent") == 2, "the second submission enrolls again");
        Assert.Equal(1, stats.Long("completed"));
        Assert.Equal(2, stats.GetProperty("sends").Long("sent"));
        var participant = await _admin.EventuallyParticipant(flow, contact,
            p => p.Str("status") == "completed" && p.GetProperty("enrolledAt").GetDateTimeOffset() > firstEnrolledAt, "the second journey completes");
        Assert.Single(participant.History(), h => h.Str("stepId") == "hello");
    }

    [Fact]
    public async Task NeverSkipsANewEventAfterTheJourneyCompleted()
    {
        var formId = TestIds.New("form");
        var flow = await ShortFlow(FormTrigger(formId), "\"never\"");
        var (contact, control) = (await _admin.Contact(), await _admin.Contact());
        var firstEnrolledAt = await CompletedOnce(flow, contact, formId);

        // The control contact's submission goes in the same batch: once it is enrolled, the other one was decided too.
        Assert.Equal((2, 0), await _admin.Ingest(FormSubmitted(contact, formId), FormSubmitted(control, formId)));

        await _admin.EventuallyParticipant(flow, control, p => p.Str("status") == "completed", "the control contact's journey completes");
        await _admin.EventuallyStats(flow, s => s.Long("enrolled") == 2, "the control contact is counted");
        await HttpKit.Stays(async () => (await (await _admin.GetAsync($"/v1/flows/{flow}/stats")).Expect(HttpStatusCode.OK)).Long("enrolled") == 2,
            TimeSpan.FromMilliseconds(500), "the contact that completed is not enrolled again");
        var participant = await (await _admin.GetAsync($"/v1/flows/{flow}/participants/{contact}")).Expect(HttpStatusCode.OK);
        Assert.Equal("completed", participant.Str("status"));
        Assert.Equal(firstEnrolledAt, participant.GetProperty("enrolledAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task ManualEnrollmentOfACompletedContactIntoANeverFlowIsSkipped()
    {
        var flow = await ShortFlow("""{"type": "manual"}""", "\"never\"");
        var contact = await _admin.Contact();
        await _admin.Enroll(flow, contact);
        await _admin.EventuallyParticipant(flow, contact, p => p.Str("status") == "completed", "the journey completes");

        var again = await (await _admin.PostAsJsonAsync($"/v1/flows/{flow}/participants", new { contactIds = new[] { contact } })).Expect(HttpStatusCode.OK);

        Assert.Equal(0, again.GetProperty("enrolled").GetInt32());
        var skip = Assert.Single(again.GetProperty("skipped").EnumerateArray());
        Assert.Equal(contact, skip.Str("contactId"));
        Assert.Equal("reentry_not_allowed", skip.Str("reason"));
        var stats = await _admin.EventuallyStats(flow, s => s.Long("completed") == 1, "the journey is counted");
        Assert.Equal(1, stats.Long("enrolled"));
    }

    [Fact]
    public async Task ManualEnrollmentBeforeTheReentryPeriodIsSkipped()
    {
        var flow = await ShortFlow("""{"type": "manual"}""", """{"after": "P30D"}""");
        var contact = await _admin.Contact();
        await _admin.Enroll(flow, contact);

        var again = await (await _admin.PostAsJsonAsync($"/v1/flows/{flow}/participants", new { contactIds = new[] { contact } })).Expect(HttpStatusCode.OK);

        Assert.Equal(0, again.GetProperty("enrolled").GetInt32());
        Assert.Equal("reentry_not_allowed", Assert.Single(again.GetProperty("skipped").EnumerateArray()).Str("reason"));
    }

    [Fact]
    public async Task ManualEnrollmentOfACompletedContactIntoAnAlwaysFlowStartsANewJourney()
    {
        var flow = await ShortFlow("""{"type": "manual"}""", "\"always\"");
        var contact = await _admin.Contact();
        await _admin.Enroll(flow, contact);
        await _admin.EventuallyParticipant(flow, contact, p => p.Str("status") == "completed", "the first journey completes");

        await _admin.Enroll(flow, contact);

        var stats = await _admin.EventuallyStats(flow, s => s.Long("enrolled") == 2 && s.Long("completed") == 1 && s.GetProperty("sends").Long("sent") == 2, "two journeys, one participant completed");
        Assert.Equal(2, stats.GetProperty("sends").Long("sent"));
    }
}
