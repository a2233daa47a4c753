using System.Net;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary>
/// What happens to a participant in a short wait (PT2S) over HTTP: a pause holds it past its due time and the resume
/// releases it; a contact change during the wait is checked before the next send (filter, consent).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class WaitingParticipantTests(ApiFixture api)
{
    private const string CustomerFilter = """ "filter": {"attribute": "attributes.category", "op": "eq", "value": "customer"},""";

    private readonly HttpClient _admin = api.Client();

    private async Task<DateTimeOffset> WaitingAtThePause(string flow, string contact)
    {
        var participant = await (await _admin.GetAsync($"/v1/flows/{flow}/participants/{contact}")).Expect(HttpStatusCode.OK);
        Assert.Equal("waiting", participant.Str("status"));
        Assert.Equal("pause", participant.Str("currentStepId"));
        return participant.GetProperty("wakeAt").GetDateTimeOffset();
    }

    private static async Task Past(DateTimeOffset due, TimeSpan margin)
    {
        var left = due + margin - DateTimeOffset.UtcNow;
        if (left > TimeSpan.Zero) await Task.Delay(left);
    }

    [Fact]
    public async Task PausedFlowHoldsADueParticipantAndTheResumeReleasesIt()
    {
        var flow = await _admin.Flow(start: true, wait: "PT2S");
        var contact = await _admin.Contact("""{"email": "paused@example.com", "phone": "+4790000001"}""");
        await _admin.Enroll(flow, contact);
        var due = await WaitingAtThePause(flow, contact);

        var paused = await (await _admin.Post($"/v1/flows/{flow}/pause")).Expect(HttpStatusCode.OK);
        Assert.Equal("paused", paused.Str("status"));
        Assert.True(DateTimeOffset.UtcNow < due, "the pause came after the due time; the test proves nothing");
        await Past(due, TimeSpan.FromSeconds(1.5));

        var held = await (await _admin.GetAsync($"/v1/flows/{flow}/participants/{contact}")).Expect(HttpStatusCode.OK);
        Assert.Equal("waiting", held.Str("status"));
        Assert.Equal("pause", held.Str("currentStepId"));
        Assert.DoesNotContain(held.History(), h => h.Str("stepId") == "second");

        var resumedAt = DateTimeOffset.UtcNow;
        var resumed = await (await _admin.Post($"/v1/flows/{flow}/start")).Expect(HttpStatusCode.OK);
        Assert.Equal("running", resumed.Str("status"));

        var completed = await _admin.EventuallyParticipant(flow, contact, p => p.Str("status") == "completed", "the resumed participant completes");
        Assert.True(DateTimeOffset.UtcNow - resumedAt < TimeSpan.FromSeconds(5), "the resume released the participant only after its next reminder");
        var second = Assert.Single(completed.History(), h => h.Str("stepId") == "second");
        Assert.Equal("sent", second.Str("outcome"));
        var scheduledAt = second.GetProperty("scheduledAt").GetDateTimeOffset();
        var at = second.GetProperty("at").GetDateTimeOffset();
        Assert.InRange(scheduledAt, due.AddMilliseconds(-50), due.AddMilliseconds(50));
        Assert.True(at - scheduledAt >= TimeSpan.FromSeconds(1), $"the step after the wait ran at {at:O}, due {scheduledAt:O}: it should have run late, at the resume");
        Assert.True(at >= resumedAt.AddMilliseconds(-50), $"the step after the wait ran at {at:O}, before the resume at {resumedAt:O}");
    }

    [Fact]
    public async Task ContactThatNoLongerPassesTheFilterExitsAfterTheWait()
    {
        var flow = await _admin.Flow(start: true, wait: "PT2S", extra: CustomerFilter);
        var contact = await _admin.Contact("""{"email": "filter@example.com", "phone": "+4790000002", "attributes": {"category": "customer"}}""");
        await _admin.Enroll(flow, contact);
        await WaitingAtThePause(flow, contact);

        var changed = await (await _admin.PutJson($"/v1/contacts/{contact}", """{"attributes": {"category": "lead"}}""")).Expect(HttpStatusCode.OK);
        Assert.Equal("lead", changed.GetProperty("attributes").GetProperty("category").GetString());

        var exited = await _admin.EventuallyParticipant(flow, contact, p => p.Str("status") == "exited", "the participant exits when the wait ends");
        Assert.Equal("filtered_out", exited.Str("exitReason"));
        var exit = Assert.Single(exited.History(), h => h.Str("outcome") == "exited");
        Assert.Equal("second", exit.Str("stepId"));
        Assert.Equal("filtered_out", exit.Str("reason"));
        var stats = await _admin.EventuallyStats(flow, s => s.Long("exited") == 1 && s.GetProperty("sends").Long("sent") == 1, "stats count the exit");
        Assert.Equal(1, stats.GetProperty("sends").Long("sent"));
        Assert.Equal(0, stats.Long("completed"));
        Assert.Equal(0, stats.Long("waiting"));
    }

    [Fact]
    public async Task WithdrawnEmailConsentExitsAtTheNextEmail()
    {
        var email = await _admin.EmailContent();
        var flow = await _admin.CreateFlow($$"""
            {
              "name": "Two emails {{TestIds.New("consent")}}",
              "trigger": {"type": "manual"},
              "startStepId": "first",
              "steps": [
                {"id": "first", "type": "sendEmail", "contentId": "{{email}}", "next": "pause"},
                {"id": "pause", "type": "wait", "duration": "PT2S", "next": "second"},
                {"id": "second", "type": "sendEmail", "contentId": "{{email}}", "next": "done"},
                {"id": "done", "type": "end"}
              ]
            }
            """);
        var contact = await _admin.Contact();
        await _admin.Enroll(flow, contact);
        await WaitingAtThePause(flow, contact);

        var changed = await (await _admin.PutJson($"/v1/contacts/{contact}", """{"consent": {"email": false}}""")).Expect(HttpStatusCode.OK);
        Assert.False(changed.GetProperty("consent").GetProperty("email").GetBoolean());

        var exited = await _admin.EventuallyParticipant(flow, contact, p => p.Str("status") == "exited", "the participant exits at the second email");
        Assert.Equal("no_consent", exited.Str("exitReason"));
        var exit = Assert.Single(exited.History(), h => h.Str("outcome") == "exited");
        Assert.Equal("second", exit.Str("stepId"));
        Assert.Equal("no_consent", exit.Str("reason"));
        var stats = await _admin.EventuallyStats(flow, s => s.Long("exited") == 1 && s.GetProperty("sends").Long("sent") == 1, "stats count the exit");
        Assert.Equal(1, stats.GetProperty("sends").Long("sent"));
    }
}
