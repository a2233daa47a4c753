using System.Net;
using System.Text.Json;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary>Participants that wait (a wait of a day): their detail, the participant list, its filters and paging, and removal.</summary>
[Collection(ApiCollection.Name)]
public sealed class ParticipantsTests(ApiFixture api)
{
    private readonly HttpClient _admin = api.Client();

    private static bool HasItems(JsonElement page, int count) => page.GetProperty("items").GetArrayLength() == count;

    [Fact]
    public async Task AfterEnrollmentTheParticipantWaitsWithAWakeUpAndHistory()
    {
        var flow = await _admin.Flow(start: true);
        var contact = await _admin.Contact();
        await _admin.Enroll(flow, contact);

        var participant = await (await _admin.GetAsync($"/v1/flows/{flow}/participants/{contact}")).Expect(HttpStatusCode.OK);
        Assert.Equal("waiting", participant.Str("status"));
        Assert.Equal("pause", participant.Str("currentStepId"));
        Assert.Equal(1, participant.GetProperty("version").GetInt32());
        var wakeAt = participant.GetProperty("wakeAt").GetDateTimeOffset();
        Assert.InRange(wakeAt, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
        var history = participant.GetProperty("history").EnumerateArray().ToList();
        Assert.Contains(history, h => h.Str("stepId") == "first" && h.Str("type") == "sendEmail");
        Assert.Contains(history, h => h.Str("stepId") == "pause" && h.Str("type") == "wait");
        Assert.Equal($"{contact}@example.com", participant.Str("email"));
    }

    [Fact]
    public async Task UnknownParticipantIsNotFound()
    {
        var flow = await _admin.Flow(start: true);
        await (await _admin.GetAsync($"/v1/flows/{flow}/participants/{TestIds.New("nobody")}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ListShowsTheParticipantWithContactAndLastSending()
    {
        var flow = await _admin.Flow(start: true);
        var contact = await _admin.Contact();
        await _admin.Enroll(flow, contact);

        var page = await _admin.EventuallyGet($"/v1/flows/{flow}/participants", p => HasItems(p, 1), "the participant is listed");
        var item = page.GetProperty("items")[0];
        Assert.Equal(contact, item.Str("contactId"));
        Assert.Equal($"{contact}@example.com", item.Str("email"));
        Assert.Equal("Acme", item.Str("company"));
        Assert.Equal("waiting", item.Str("status"));
        Assert.Equal("pause", item.Str("currentStepId"));
        Assert.False(item.GetProperty("succeeded").GetBoolean());
        Assert.Equal(JsonValueKind.String, item.GetProperty("enrolledAt").ValueKind);
        Assert.Equal(JsonValueKind.String, item.GetProperty("lastSending").GetProperty("at").ValueKind);
    }

    [Fact]
    public async Task ListFiltersByStatus()
    {
        var flow = await _admin.Flow(start: true);
        var (stays, leaves) = (await _admin.Contact(), await _admin.Contact());
        await _admin.Enroll(flow, stays, leaves);
        await (await _admin.DeleteAsync($"/v1/flows/{flow}/participants/{leaves}")).Expect(HttpStatusCode.NoContent);

        var waiting = await _admin.EventuallyGet($"/v1/flows/{flow}/participants?status=waiting",
            p => HasItems(p, 1) && p.GetProperty("items")[0].Str("contactId") == stays, "only the waiting participant is listed as waiting");
        Assert.Equal("waiting", waiting.GetProperty("items")[0].Str("status"));
        var removed = await _admin.EventuallyGet($"/v1/flows/{flow}/participants?status=removed", p => HasItems(p, 1), "the removed participant is listed as removed");
        Assert.Equal(leaves, removed.GetProperty("items")[0].Str("contactId"));
    }

    [Fact]
    public async Task ListFiltersByStep()
    {
        var flow = await _admin.Flow(start: true);
        var contact = await _admin.Contact();
        await _admin.Enroll(flow, contact);

        await _admin.EventuallyGet($"/v1/flows/{flow}/participants?stepId=pause", p => HasItems(p, 1), "the participant is listed at its step");
        var elsewhere = await (await _admin.GetAsync($"/v1/flows/{flow}/participants?stepId=second")).Expect(HttpStatusCode.OK);
        Assert.Empty(elsewhere.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task CursorPagingReturnsEveryParticipantOnce()
    {
        var flow = await _admin.Flow(start: true);
        var contacts = new List<string>();
        for (var i = 0; i < 5; i++) contacts.Add(await _admin.Contact());
        await _admin.Enroll(flow, [.. contacts]);
        await _admin.EventuallyGet($"/v1/flows/{flow}/participants", p => HasItems(p, 5), "all five are listed");

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await (await _admin.GetAsync($"/v1/flows/{flow}/participants?limit=2" + (cursor is null ? "" : $"&cursor={cursor}"))).Expect(HttpStatusCode.OK);
            Assert.InRange(page.GetProperty("items").GetArrayLength(), 1, 2);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.Str("contactId")!));
            cursor = page.Str("nextCursor");
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(contacts.Order(), seen.Order());
    }

    [Theory]
    [InlineData("status=sleeping", "status")]
    [InlineData("status=Waiting", "status")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("cursor=@@@@", "cursor")]
    public async Task ListRejectsBadQueries(string query, string parameter)
    {
        var flow = await _admin.Flow(start: true);
        await (await _admin.GetAsync($"/v1/flows/{flow}/participants?{query}")).ExpectInvalid(parameter);
    }

    [Fact]
    public async Task RemovingAWaitingParticipantMarksItRemoved()
    {
        var flow = await _admin.Flow(start: true);
        var contact = await _admin.Contact();
        await _admin.Enroll(flow, contact);

        await (await _admin.DeleteAsync($"/v1/flows/{flow}/participants/{contact}")).Expect(HttpStatusCode.NoContent);
        var participant = await (await _admin.GetAsync($"/v1/flows/{flow}/participants/{contact}")).Expect(HttpStatusCode.OK);
        Assert.Equal("removed", participant.Str("status"));
    }

    [Fact]
    public async Task RemovingIsCountedInStats()
    {
        var flow = await _admin.Flow(start: true);
        var contact = await _admin.Contact();
        await _admin.Enroll(flow, contact);
        await (await _admin.DeleteAsync($"/v1/flows/{flow}/participants/{contact}")).Expect(HttpStatusCode.NoContent);

        var stats = await _admin.EventuallyGet($"/v1/flows/{flow}/stats", s => s.GetProperty("removed").GetInt64() == 1, "stats count the removal");
        Assert.Equal(0, stats.GetProperty("waiting").GetInt64());
        Assert.Equal(1, stats.GetProperty("enrolled").GetInt64());
    }

    [Fact]
    public async Task RemovingTwiceIsStillNoContent()
    {
        var flow = await _admin.Flow(start: true);
        var contact = await _admin.Contact();
        await _admin.Enroll(flow, contact);
        await (await _admin.DeleteAsync($"/v1/flows/{flow}/participants/{contact}")).Expect(HttpStatusCode.NoContent);
        await (await _admin.DeleteAsync($"/v1/flows/{flow}/participants/{contact}")).Expect(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task RemovingAContactNeverEnrolledIsNotFound()
    {
        var flow = await _admin.Flow(start: true);
        var contact = await _admin.Contact();
        await (await _admin.DeleteAsync($"/v1/flows/{flow}/participants/{contact}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task WaitingStatsCountTheParticipantAtItsStep()
    {
        var flow = await _admin.Flow(start: true);
        await _admin.Enroll(flow, await _admin.Contact());

        var stats = await _admin.EventuallyGet($"/v1/flows/{flow}/stats", s => s.GetProperty("waiting").GetInt64() == 1, "stats count one waiting");
        Assert.Equal(1, stats.GetProperty("enrolled").GetInt64());
        Assert.Equal(1, stats.GetProperty("steps").GetProperty("pause").GetProperty("waiting").GetInt64());
        Assert.Equal(1, stats.GetProperty("steps").GetProperty("first").GetProperty("completed").GetInt64());
        Assert.Equal(1, stats.GetProperty("sends").GetProperty("sent").GetInt64());
    }

    [Fact]
    public async Task EndingTheFlowExitsWaitingParticipants()
    {
        var flow = await _admin.Flow(start: true);
        var contact = await _admin.Contact();
        await _admin.Enroll(flow, contact);
        await _admin.EventuallyGet($"/v1/flows/{flow}/participants", p => HasItems(p, 1), "the participant is listed");
        await (await _admin.Post($"/v1/flows/{flow}/end")).Expect(HttpStatusCode.OK);

        var participant = await _admin.EventuallyGet($"/v1/flows/{flow}/participants/{contact}", p => p.Str("status") == "exited", "the participant exits");
        Assert.Equal("flow_ended", participant.Str("exitReason"));
    }

    [Fact]
    public async Task EndingTheFlowRightAfterEnrollmentExitsTheParticipant()
    {
        var flow = await _admin.Flow(start: true);
        var contact = await _admin.Contact();
        await _admin.Enroll(flow, contact);
        await (await _admin.Post($"/v1/flows/{flow}/end")).Expect(HttpStatusCode.OK);

        var participant = await _admin.EventuallyGet($"/v1/flows/{flow}/participants/{contact}", p => p.Str("status") == "exited", "the participant exits");
        Assert.Equal("flow_ended", participant.Str("exitReason"));
    }

    [Fact]
    public async Task ErasingTheContactTakesItOutOfTheList()
    {
        var flow = await _admin.Flow(start: true);
        var contact = await _admin.Contact();
        await _admin.Enroll(flow, contact);
        await _admin.EventuallyGet($"/v1/flows/{flow}/participants", p => HasItems(p, 1), "the participant is listed");

        await (await _admin.DeleteAsync($"/v1/contacts/{contact}")).Expect(HttpStatusCode.NoContent);
        await _admin.EventuallyGet($"/v1/flows/{flow}/participants", p => HasItems(p, 0), "the erased contact leaves the list");
    }
}
