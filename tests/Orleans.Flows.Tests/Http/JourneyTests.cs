using System.Net;
using System.Text.Json;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary>
/// One journey over HTTP — sendEmail → wait PT2S → sendSms → end — run once for the class and looked at from
/// every side: the participant, the participant list, the stats, the flow list and the contact.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class JourneyTests(ApiFixture api)
{
    private sealed record Journey(string FlowId, string ContactId, string EmailId, string SmsId, DateTimeOffset EnrolledAround, JsonElement AfterEnrollment);

    private static readonly Lock Gate = new();
    private static Task<Journey>? _shared;

    private readonly HttpClient _admin = api.Client();

    /// <summary>The journey, started by the first test that needs it and finished (status completed) before it is returned.</summary>
    private Task<Journey> Completed()
    {
        lock (Gate) return _shared ??= Run(api.Client());
    }

    private static async Task<Journey> Run(HttpClient admin)
    {
        var email = await admin.EmailContent();
        var sms = await admin.SmsContent();
        var flow = TestIds.New("journey");
        await (await admin.PostJson("/v1/flows", HttpKit.SendWaitSend("Journey " + flow, email, sms, "PT2S", id: flow))).Expect(HttpStatusCode.Created);
        await (await admin.Post($"/v1/flows/{flow}/start")).Expect(HttpStatusCode.OK);
        var contact = await admin.Contact($$"""{"email": "journey@example.com", "phone": "+4712345678", "firstName": "Jo", "company": "Journey AS"}""");
        var enrolledAround = DateTimeOffset.UtcNow;
        await admin.Enroll(flow, contact);
        var afterEnrollment = await (await admin.GetAsync($"/v1/flows/{flow}/participants/{contact}")).Expect(HttpStatusCode.OK);
        await admin.EventuallyGet($"/v1/flows/{flow}/participants/{contact}", p => p.Str("status") == "completed", "the journey completes");
        return new Journey(flow, contact, email, sms, enrolledAround, afterEnrollment);
    }

    [Fact]
    public async Task RightAfterEnrollmentTheParticipantWaitsForTwoSeconds()
    {
        var journey = await Completed();
        var participant = journey.AfterEnrollment;
        Assert.Equal("waiting", participant.Str("status"));
        Assert.Equal("pause", participant.Str("currentStepId"));
        var wakeAt = participant.GetProperty("wakeAt").GetDateTimeOffset();
        Assert.InRange(wakeAt - journey.EnrolledAround, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(4));
        var history = participant.GetProperty("history").EnumerateArray().ToList();
        Assert.Contains(history, h => h.Str("stepId") == "first" && h.Str("outcome") == "sent");
        Assert.Contains(history, h => h.Str("stepId") == "pause" && h.Str("type") == "wait");
        Assert.Equal(journey.EmailId, participant.GetProperty("lastSending").Str("contentId"));
    }

    [Fact]
    public async Task CompletedParticipantHasTheHistoryOfEveryStep()
    {
        var journey = await Completed();
        var participant = await (await _admin.GetAsync($"/v1/flows/{journey.FlowId}/participants/{journey.ContactId}")).Expect(HttpStatusCode.OK);

        Assert.Equal("completed", participant.Str("status"));
        var history = participant.GetProperty("history").EnumerateArray().ToList();
        foreach (var (stepId, type) in new[] { ("first", "sendEmail"), ("pause", "wait"), ("second", "sendSms"), ("done", "end") })
        {
            var entry = history.FirstOrDefault(h => h.Str("stepId") == stepId);
            Assert.True(entry.ValueKind == JsonValueKind.Object, $"no history entry for step '{stepId}': {participant}");
            Assert.Equal(type, entry.Str("type"));
            Assert.False(string.IsNullOrEmpty(entry.Str("outcome")), $"step '{stepId}' has no outcome");
            Assert.Equal(JsonValueKind.String, entry.GetProperty("scheduledAt").ValueKind);
            Assert.Equal(JsonValueKind.String, entry.GetProperty("at").ValueKind);
        }
    }

    [Fact]
    public async Task TheSecondSendWasDueTwoSecondsAfterTheFirst()
    {
        var journey = await Completed();
        var participant = await (await _admin.GetAsync($"/v1/flows/{journey.FlowId}/participants/{journey.ContactId}")).Expect(HttpStatusCode.OK);
        var history = participant.GetProperty("history").EnumerateArray().ToList();
        var first = history.First(h => h.Str("stepId") == "first").GetProperty("at").GetDateTimeOffset();
        var second = history.First(h => h.Str("stepId") == "second");
        var due = second.GetProperty("scheduledAt").GetDateTimeOffset();
        Assert.InRange(due - first, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(3));
        Assert.True(second.GetProperty("at").GetDateTimeOffset() >= due, "the second send ran before it was due");
    }

    [Fact]
    public async Task CompletedParticipantShowsTheLastSending()
    {
        var journey = await Completed();
        var participant = await (await _admin.GetAsync($"/v1/flows/{journey.FlowId}/participants/{journey.ContactId}")).Expect(HttpStatusCode.OK);
        var last = participant.GetProperty("lastSending");
        Assert.Equal(journey.SmsId, last.Str("contentId"));
        Assert.Equal("sent", last.Str("status"));
        Assert.True(last.GetProperty("at").GetDateTimeOffset() > journey.EnrolledAround, "lastSending.at is before the enrollment");
    }

    [Fact]
    public async Task ListShowsTheCompletedParticipant()
    {
        var journey = await Completed();
        var page = await _admin.EventuallyGet($"/v1/flows/{journey.FlowId}/participants",
            p => p.GetProperty("items").GetArrayLength() == 1 && p.GetProperty("items")[0].Str("status") == "completed", "the list shows the participant completed");
        var item = page.GetProperty("items")[0];
        Assert.Equal(journey.ContactId, item.Str("contactId"));
        Assert.Equal("journey@example.com", item.Str("email"));
        Assert.Equal("Journey AS", item.Str("company"));
        Assert.Equal("done", item.Str("currentStepId"));
        Assert.Equal(journey.SmsId, item.GetProperty("lastSending").Str("contentId"));
        Assert.Equal("sent", item.GetProperty("lastSending").Str("status"));
        Assert.True(page.IsAbsentOrNull("nextCursor"));
    }

    [Fact]
    public async Task StatsCountTheJourney()
    {
        var journey = await Completed();
        var stats = await _admin.EventuallyGet($"/v1/flows/{journey.FlowId}/stats",
            s => s.GetProperty("completed").GetInt64() == 1 && s.GetProperty("sends").GetProperty("sent").GetInt64() == 2, "stats count the completed journey");

        Assert.Equal(1, stats.GetProperty("enrolled").GetInt64());
        Assert.Equal(0, stats.GetProperty("waiting").GetInt64());
        Assert.Equal(0, stats.GetProperty("active").GetInt64());
        Assert.Equal(0, stats.GetProperty("successRate").GetDouble());
        foreach (var step in new[] { "first", "pause", "second" })
        {
            var s = stats.GetProperty("steps").GetProperty(step);
            Assert.Equal(1, s.GetProperty("entered").GetInt64());
            Assert.Equal(1, s.GetProperty("completed").GetInt64());
            Assert.Equal(0, s.GetProperty("waiting").GetInt64());
        }
        var sends = stats.GetProperty("sends");
        foreach (var name in new[] { "delivered", "failed", "opened", "clicked" }) Assert.Equal(JsonValueKind.Number, sends.GetProperty(name).ValueKind);
        foreach (var name in new[] { "succeeded", "exited", "removed", "failed" }) Assert.Equal(0, stats.GetProperty(name).GetInt64());
    }

    [Fact]
    public async Task FlowListShowsTheJourneysCounts()
    {
        var journey = await Completed();
        var list = await _admin.EventuallyGet($"/v1/flows?status=running&search={journey.FlowId}",
            l => l.GetProperty("items").GetArrayLength() == 1 && l.GetProperty("items")[0].GetProperty("enrolled").GetInt64() == 1 &&
                 l.GetProperty("items")[0].GetProperty("active").GetInt64() == 0, "the flow list counts one enrolled, none active");
        var item = list.GetProperty("items")[0];
        Assert.Equal(journey.FlowId, item.Str("id"));
        Assert.Equal("running", item.Str("status"));
        Assert.Equal(0, item.GetProperty("successRate").GetDouble());
        Assert.Equal(1, item.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task ContactListsTheFlowItCompleted()
    {
        var journey = await Completed();
        var contact = await (await _admin.GetAsync($"/v1/contacts/{journey.ContactId}")).Expect(HttpStatusCode.OK);
        var entry = Assert.Single(contact.GetProperty("flows").EnumerateArray());
        Assert.Equal(journey.FlowId, entry.Str("flowId"));
        Assert.Equal("completed", entry.Str("status"));
    }

    [Fact]
    public async Task RemovingACompletedParticipantDoesNotChangeIt()
    {
        var journey = await Completed();
        var response = await _admin.DeleteAsync($"/v1/flows/{journey.FlowId}/participants/{journey.ContactId}");
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        var participant = await (await _admin.GetAsync($"/v1/flows/{journey.FlowId}/participants/{journey.ContactId}")).Expect(HttpStatusCode.OK);
        Assert.Equal("completed", participant.Str("status"));
    }
}
