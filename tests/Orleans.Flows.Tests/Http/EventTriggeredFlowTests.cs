using System.Globalization;
using System.Net;
using System.Text.Json;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary>
/// Flows that events start, over HTTP: a form submission enrolls, a click moves the journey on, a sale ends it as a
/// success. Every trigger but the walk-through's uses its own form id, so that no test's events reach another's flow.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class EventTriggeredFlowTests(ApiFixture api)
{
    private readonly HttpClient _admin = api.Client();

    private static string FormTrigger(string formId) =>
        $$$"""{"type": "event", "event": "form.submitted", "where": {"property": "formId", "op": "eq", "value": "{{{formId}}}"}}""";

    /// <summary>sendEmail → waitForEvent link.clicked (P1D) → offer sendEmail → wait P1D → end; success on sale.created.</summary>
    private static string FollowUp(string name, string trigger, string thanks, string offer) => $$"""
        {
          "name": "{{name}}",
          "trigger": {{trigger}},
          "success": {"when": {"event": "sale.created"}, "then": "stop"},
          "startStepId": "thanks",
          "steps": [
            {"id": "thanks", "type": "sendEmail", "contentId": "{{thanks}}", "next": "click"},
            {"id": "click", "type": "waitForEvent", "event": "link.clicked", "timeout": "P1D", "next": "offer", "onTimeout": "done"},
            {"id": "offer", "type": "sendEmail", "contentId": "{{offer}}", "next": "pause"},
            {"id": "pause", "type": "wait", "duration": "P1D", "next": "done"},
            {"id": "done", "type": "end"}
          ]
        }
        """;

    private async Task<string> FollowUpFlow(string trigger, bool start = true)
    {
        var email = await _admin.EmailContent();
        return await _admin.CreateFlow(FollowUp("Follow-up " + TestIds.New("form"), trigger, email, email), start);
    }

    private static string FormSubmitted(string contactId, string formId, string? id = null) =>
        HttpKit.Event(contactId, "form.submitted", $$"""{"formId": "{{formId}}"}""", id);

    /// <summary>The walk-through of the README: every stage of an event-triggered journey, in order.</summary>
    [Fact]
    public async Task FormSubmissionEnrollsAClickMovesOnAndASaleSucceeds()
    {
        var thanks = await _admin.EmailContent();
        var offer = await _admin.EmailContent();
        var contact = await _admin.Contact();
        var flow = await _admin.CreateFlow(FollowUp("Demo requests " + TestIds.New("demo"), FormTrigger("demo"), thanks, offer));

        // A form submission enrolls the contact: thanked, it waits for a click.
        var submitted = FormSubmitted(contact, "demo");
        Assert.Equal((1, 0), await _admin.Ingest(submitted));
        var waiting = await _admin.EventuallyParticipant(flow, contact,
            p => p.Str("status") == "waiting" && p.Str("currentStepId") == "click", "the form submission enrolls the contact, waiting for a click");
        Assert.Contains(waiting.History(), h => h.Str("stepId") == "thanks" && h.Str("outcome") == "sent");
        Assert.Equal(thanks, waiting.GetProperty("lastSending").Str("contentId"));
        Assert.False(waiting.GetProperty("succeeded").GetBoolean());
        Assert.InRange(waiting.GetProperty("wakeAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));

        // The same event again is a duplicate; another submission while in the flow does not enroll twice.
        Assert.Equal((0, 1), await _admin.Ingest(submitted));
        Assert.Equal((1, 0), await _admin.Ingest(FormSubmitted(contact, "demo")));
        var stats = await _admin.EventuallyStats(flow, s => s.Long("enrolled") == 1 && s.Long("waiting") == 1, "one enrolled, waiting");
        Assert.Equal(1, stats.GetProperty("steps").GetProperty("click").Long("waiting"));
        await HttpKit.Stays(async () => (await (await _admin.GetAsync($"/v1/flows/{flow}/stats")).Expect(HttpStatusCode.OK)).Long("enrolled") == 1,
            TimeSpan.FromMilliseconds(500), "the contact is enrolled once");

        // A click moves the journey on: the offer is sent and the participant waits a day.
        Assert.Equal((1, 0), await _admin.Ingest(HttpKit.Event(contact, "link.clicked", """{"url": "https://example.com/offer"}""")));
        var clicked = await _admin.EventuallyParticipant(flow, contact,
            p => p.Str("status") == "waiting" && p.Str("currentStepId") == "pause", "the click moves the participant on to the wait");
        var history = clicked.History();
        Assert.Contains(history, h => h.Str("stepId") == "click" && h.Str("outcome") == "event_received");
        Assert.Contains(history, h => h.Str("stepId") == "offer" && h.Str("outcome") == "sent");
        Assert.Contains(history, h => h.Str("stepId") == "pause" && h.Str("outcome") == "waiting");
        Assert.Equal(offer, clicked.GetProperty("lastSending").Str("contentId"));

        // A sale is the success: the journey stops.
        Assert.Equal((1, 0), await _admin.Ingest(HttpKit.Event(contact, "sale.created", """{"amount": 1200, "currency": "NOK"}""")));
        var succeeded = await _admin.EventuallyParticipant(flow, contact, p => p.Str("status") == "succeeded", "the sale makes the participant succeed");
        Assert.True(succeeded.GetProperty("succeeded").GetBoolean());
        Assert.Equal("success", succeeded.Str("exitReason"));
        Assert.True(succeeded.IsAbsentOrNull("wakeAt"), $"a succeeded participant waits for nothing: {succeeded}");

        stats = await _admin.EventuallyStats(flow, s => s.Long("succeeded") == 1 && s.GetProperty("sends").Long("sent") == 2, "stats count the success");
        Assert.Equal(1, stats.Long("enrolled"));
        Assert.Equal(0, stats.Long("waiting"));
        Assert.Equal(0, stats.Long("active"));
        Assert.Equal(1, stats.GetProperty("successRate").GetDouble());
        Assert.Equal(2, stats.GetProperty("sends").Long("sent"));

        var list = await _admin.EventuallyGet($"/v1/flows?search={flow}", l => l.GetProperty("items").GetArrayLength() == 1, "the flow is listed");
        var item = list.GetProperty("items")[0];
        Assert.Equal(flow, item.Str("id"));
        Assert.Equal(1, item.GetProperty("successRate").GetDouble());
        Assert.Equal(1, item.Long("enrolled"));
        Assert.Equal(0, item.Long("active"));
    }

    [Fact]
    public async Task SaleWhileWaitingForTheClickSucceeds()
    {
        var formId = TestIds.New("form");
        var flow = await FollowUpFlow(FormTrigger(formId));
        var contact = await _admin.Contact();
        await _admin.Ingest(FormSubmitted(contact, formId));
        await _admin.EventuallyParticipant(flow, contact, p => p.Str("currentStepId") == "click", "the contact waits for a click");

        await _admin.Ingest(HttpKit.Event(contact, "sale.created"));

        var participant = await _admin.EventuallyParticipant(flow, contact, p => p.Str("status") == "succeeded", "the sale makes the participant succeed");
        Assert.Equal("success", participant.Str("exitReason"));
        Assert.DoesNotContain(participant.History(), h => h.Str("stepId") == "offer");
    }

    [Fact]
    public async Task EventOfAnotherFormDoesNotEnroll()
    {
        var formId = TestIds.New("form");
        var flow = await FollowUpFlow(FormTrigger(formId));
        var (other, matching) = (await _admin.Contact(), await _admin.Contact());

        Assert.Equal((3, 0), await _admin.Ingest(
            FormSubmitted(other, "other"),
            HttpKit.Event(other, "page.viewed", $$"""{"formId": "{{formId}}"}"""),
            FormSubmitted(matching, formId)));

        await _admin.EventuallyParticipant(flow, matching, p => p.Str("status") == "waiting", "the matching submission enrolls");
        await HttpKit.Stays(() => _admin.NotInFlow(flow, other), TimeSpan.FromMilliseconds(500), "another form's submission does not enroll");
        var stats = await (await _admin.GetAsync($"/v1/flows/{flow}/stats")).Expect(HttpStatusCode.OK);
        Assert.Equal(1, stats.Long("enrolled"));
    }

    [Fact]
    public async Task PausedFlowIsNotTriggered()
    {
        var formId = TestIds.New("form");
        var paused = await FollowUpFlow(FormTrigger(formId));
        await (await _admin.Post($"/v1/flows/{paused}/pause")).Expect(HttpStatusCode.OK);
        var running = await FollowUpFlow(FormTrigger(formId));
        var draft = await FollowUpFlow(FormTrigger(formId), start: false);
        var contact = await _admin.Contact();

        await _admin.Ingest(FormSubmitted(contact, formId));

        await _admin.EventuallyParticipant(running, contact, p => p.Str("status") == "waiting", "the running flow enrolls the contact");
        await HttpKit.Stays(async () => await _admin.NotInFlow(paused, contact) && await _admin.NotInFlow(draft, contact),
            TimeSpan.FromMilliseconds(500), "neither the paused nor the draft flow enrolls the contact");
        var stats = await (await _admin.GetAsync($"/v1/flows/{paused}/stats")).Expect(HttpStatusCode.OK);
        Assert.Equal(0, stats.Long("enrolled"));
    }

    [Fact]
    public async Task EndedFlowIsNotTriggered()
    {
        var formId = TestIds.New("form");
        var ended = await FollowUpFlow(FormTrigger(formId));
        await (await _admin.Post($"/v1/flows/{ended}/end")).Expect(HttpStatusCode.OK);
        var running = await FollowUpFlow(FormTrigger(formId));
        var contact = await _admin.Contact();

        await _admin.Ingest(FormSubmitted(contact, formId));

        await _admin.EventuallyParticipant(running, contact, p => p.Str("status") == "waiting", "the running flow enrolls the contact");
        await HttpKit.Stays(() => _admin.NotInFlow(ended, contact), TimeSpan.FromMilliseconds(500), "the ended flow does not enroll the contact");
    }

    [Fact]
    public async Task EventOfAnUnknownContactDoesNotEnroll()
    {
        var formId = TestIds.New("form");
        var flow = await FollowUpFlow(FormTrigger(formId));
        var (unknown, known) = (TestIds.New("nobody"), await _admin.Contact());

        Assert.Equal((2, 0), await _admin.Ingest(FormSubmitted(unknown, formId), FormSubmitted(known, formId)));

        await _admin.EventuallyParticipant(flow, known, p => p.Str("status") == "waiting", "the known contact is enrolled");
        await HttpKit.Stays(() => _admin.NotInFlow(flow, unknown), TimeSpan.FromMilliseconds(500), "a contact that does not exist is not enrolled");
    }

    /// <summary>Events without occurredAt happen now: late enough to start the flow and to meet its success criterion.</summary>
    [Fact]
    public async Task EventsWithoutOccurredAtTriggerAndMeetTheSuccessCriterion()
    {
        var started = TestIds.New("trial.started");
        var email = await _admin.EmailContent();
        var flow = await _admin.CreateFlow($$$"""
            {
              "name": "Trial {{{started}}}",
              "trigger": {"type": "event", "event": "{{{started}}}"},
              "success": {"when": {"event": "subscription.bought", "where": {"property": "plan", "op": "in", "value": ["pro", "team"]}}, "then": "stop"},
              "startStepId": "hello",
              "steps": [
                {"id": "hello", "type": "sendEmail", "contentId": "{{{email}}}", "next": "pause"},
                {"id": "pause", "type": "wait", "duration": "P1D", "next": "done"},
                {"id": "done", "type": "end"}
              ]
            }
            """);
        var contact = await _admin.Contact();

        Assert.Equal((1, 0), await _admin.Ingest(HttpKit.Event(contact, started)));
        var waiting = await _admin.EventuallyParticipant(flow, contact, p => p.Str("status") == "waiting", "the custom event starts the flow");
        var enrolledAt = waiting.GetProperty("enrolledAt").GetDateTimeOffset();
        Assert.InRange(enrolledAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));

        Assert.Equal((1, 0), await _admin.Ingest(HttpKit.Event(contact, "subscription.bought", """{"plan": "team"}""")));
        var succeeded = await _admin.EventuallyParticipant(flow, contact, p => p.Str("status") == "succeeded", "the purchase without occurredAt meets the success criterion");
        Assert.Equal("success", succeeded.Str("exitReason"));
    }

    /// <summary>
    /// A sale that occurred before the enrollment is no success of this journey: when the click comes, the success
    /// criterion is checked over all the contact's events, and the old sale does not count.
    /// </summary>
    [Fact]
    public async Task EventThatOccurredBeforeTheEnrollmentIsNoSuccess()
    {
        var formId = TestIds.New("form");
        var flow = await FollowUpFlow(FormTrigger(formId));
        var contact = await _admin.Contact();
        await _admin.Ingest(FormSubmitted(contact, formId));
        await _admin.EventuallyParticipant(flow, contact, p => p.Str("currentStepId") == "click", "the contact waits for a click");
        var yesterday = DateTimeOffset.UtcNow.AddDays(-1).ToString("O", CultureInfo.InvariantCulture);

        Assert.Equal((2, 0), await _admin.Ingest(
            HttpKit.Event(contact, "sale.created", extra: $"\"occurredAt\": \"{yesterday}\""),
            HttpKit.Event(contact, "link.clicked")));

        var moved = await _admin.EventuallyParticipant(flow, contact, p => p.Str("currentStepId") == "pause", "the click moves the participant on");
        Assert.Equal("waiting", moved.Str("status"));
        Assert.False(moved.GetProperty("succeeded").GetBoolean(), $"yesterday's sale is not a success of today's journey: {moved}");
    }

    [Fact]
    public async Task ClickBeforeTheEnrollmentDoesNotCount()
    {
        var formId = TestIds.New("form");
        var flow = await FollowUpFlow(FormTrigger(formId));
        var contact = await _admin.Contact();
        var hourAgo = DateTimeOffset.UtcNow.AddHours(-1).ToString("O", CultureInfo.InvariantCulture);
        await _admin.Ingest(FormSubmitted(contact, formId));
        await _admin.EventuallyParticipant(flow, contact, p => p.Str("currentStepId") == "click", "the contact waits for a click");

        await _admin.Ingest(HttpKit.Event(contact, "link.clicked", extra: $"\"occurredAt\": \"{hourAgo}\""));

        await HttpKit.Stays(async () =>
        {
            var p = await (await _admin.GetAsync($"/v1/flows/{flow}/participants/{contact}")).Expect(HttpStatusCode.OK);
            return p.Str("status") == "waiting" && p.Str("currentStepId") == "click";
        }, TimeSpan.FromMilliseconds(500), "a click from before the enrollment does not move the participant on");
    }

    [Fact]
    public async Task ParticipantListShowsTheEventEnrolledContact()
    {
        var formId = TestIds.New("form");
        var flow = await FollowUpFlow(FormTrigger(formId));
        var contact = await _admin.Contact("""{"email": "lead@example.com", "company": "Lead AS"}""");

        await _admin.Ingest(FormSubmitted(contact, formId));

        var page = await _admin.EventuallyGet($"/v1/flows/{flow}/participants", p => p.GetProperty("items").GetArrayLength() == 1, "the participant is listed");
        var item = page.GetProperty("items")[0];
        Assert.Equal(contact, item.Str("contactId"));
        Assert.Equal("lead@example.com", item.Str("email"));
        Assert.Equal("Lead AS", item.Str("company"));
        Assert.Equal("click", item.Str("currentStepId"));
        var detail = await (await _admin.GetAsync($"/v1/contacts/{contact}")).Expect(HttpStatusCode.OK);
        var entry = Assert.Single(detail.GetProperty("flows").EnumerateArray(), f => f.Str("flowId") == flow);
        Assert.Equal("waiting", entry.Str("status"));
        Assert.Equal(JsonValueKind.String, entry.GetProperty("currentStepId").ValueKind);
    }

    [Fact]
    public async Task ClickWhileTheFlowIsPausedMovesTheParticipantOnAtTheResume()
    {
        var formId = TestIds.New("form");
        var flow = await FollowUpFlow(FormTrigger(formId));
        var contact = await _admin.Contact();
        await _admin.Ingest(FormSubmitted(contact, formId));
        await _admin.EventuallyParticipant(flow, contact, p => p.Str("currentStepId") == "click", "the contact waits for a click");
        await (await _admin.Post($"/v1/flows/{flow}/pause")).Expect(HttpStatusCode.OK);

        Assert.Equal((1, 0), await _admin.Ingest(HttpKit.Event(contact, "link.clicked")));
        await HttpKit.Stays(async () =>
        {
            var p = await (await _admin.GetAsync($"/v1/flows/{flow}/participants/{contact}")).Expect(HttpStatusCode.OK);
            return p.Str("status") == "waiting" && p.Str("currentStepId") == "click";
        }, TimeSpan.FromMilliseconds(500), "a paused flow holds the participant");

        await (await _admin.Post($"/v1/flows/{flow}/start")).Expect(HttpStatusCode.OK);

        var moved = await _admin.EventuallyParticipant(flow, contact, p => p.Str("currentStepId") == "pause", "the resume acts on the click");
        Assert.Contains(moved.History(), h => h.Str("stepId") == "click" && h.Str("outcome") == "event_received");
        Assert.Contains(moved.History(), h => h.Str("stepId") == "offer" && h.Str("outcome") == "sent");
    }

    [Fact]
    public async Task SaleWhileTheFlowIsPausedSucceedsAtTheResume()
    {
        var formId = TestIds.New("form");
        var flow = await FollowUpFlow(FormTrigger(formId));
        var contact = await _admin.Contact();
        await _admin.Ingest(FormSubmitted(contact, formId));
        await _admin.EventuallyParticipant(flow, contact, p => p.Str("currentStepId") == "click", "the contact waits for a click");
        await (await _admin.Post($"/v1/flows/{flow}/pause")).Expect(HttpStatusCode.OK);

        await _admin.Ingest(HttpKit.Event(contact, "sale.created"));
        await (await _admin.Post($"/v1/flows/{flow}/start")).Expect(HttpStatusCode.OK);

        var succeeded = await _admin.EventuallyParticipant(flow, contact, p => p.Str("status") == "succeeded", "the resume finds the sale");
        Assert.Equal("success", succeeded.Str("exitReason"));
        var stats = await _admin.EventuallyStats(flow, s => s.Long("succeeded") == 1, "stats count the success");
        Assert.Equal(1, stats.GetProperty("successRate").GetDouble());
    }
}
