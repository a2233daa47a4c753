using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Grains;

/// <summary>Re-entry of event-triggered flows: again after leaving when allowed, never twice at once.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TriggerReentryTests(ClusterFixture cluster) : IAsyncLifetime
{
    private readonly FlowScenario _scenario = new(cluster);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _scenario.EndTriggeredAsync();

    /// <summary>form.submitted → email → (<paramref name="wait"/>) → end; without a wait the journey ends at once.</summary>
    private async Task<string> FormFlowAsync(string reentry, string? wait = null)
    {
        var email = await _scenario.EmailAsync();
        var steps = wait is null
            ? $$"""
                {"id": "welcome", "type": "sendEmail", "contentId": "{{email}}", "next": "done"},
                {"id": "done", "type": "end"}
              """
            : $$"""
                {"id": "welcome", "type": "sendEmail", "contentId": "{{email}}", "next": "pause"},
                {"id": "pause", "type": "wait", "duration": "{{wait}}", "next": "done"},
                {"id": "done", "type": "end"}
              """;
        return await _scenario.TriggeredAsync($$"""
            {
              "name": "Form",
              "trigger": {"type": "event", "event": "form.submitted"},
              "reentry": "{{reentry}}",
              "startStepId": "welcome",
              "steps": [
                {{steps}}
              ]
            }
            """);
    }

    [Fact]
    public async Task ReentryAlwaysEnrollsAgainOnASecondTriggerAfterCompleting()
    {
        var flowId = await FormFlowAsync("always");
        var contactId = await _scenario.ContactAsync();
        await _scenario.PostEventAsync(contactId, "form.submitted");
        var firstJourney = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Completed);
        Assert.Equal(1, FlowScenario.JourneyOf(firstJourney));

        await _scenario.PostEventAsync(contactId, "form.submitted");

        var secondJourney = await _scenario.ParticipantUntilAsync(flowId, contactId,
            d => d.Summary.Status == ParticipantStatus.Completed && FlowScenario.JourneyOf(d) == 2,
            "the contact completed a second journey");
        Assert.True(secondJourney.Summary.EnrolledAt > firstJourney.Summary.EnrolledAt);
        Assert.Single(secondJourney.History, h => h.Type == "enrolled");
        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Enrolled == 2 && s.Completed == 1 && s.Active == 0 && s.Sends.Sent == 2, "the stats count two journeys of one completed participant");
        Assert.Equal(2, stats.Sends.Sent);
    }

    [Fact]
    public async Task ReentryNeverSkipsTheSecondTrigger()
    {
        var flowId = await FormFlowAsync("never");
        var contactId = await _scenario.ContactAsync();
        var sentinel = await _scenario.ContactAsync();
        await _scenario.PostEventAsync(contactId, "form.submitted");
        var first = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Completed);

        await _scenario.PostEventAsync(contactId, "form.submitted");
        await _scenario.PostEventAsync(sentinel, "form.submitted");
        await _scenario.StatusAsync(flowId, sentinel, ParticipantStatus.Completed);

        var after = await _scenario.DetailAsync(flowId, contactId);
        Assert.Equal(first.Summary.EnrolledAt, after!.Summary.EnrolledAt);
        Assert.Equal(1, FlowScenario.JourneyOf(after));
        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Completed == 2, "the stats count both contacts");
        Assert.Equal(2, stats.Enrolled);
    }

    [Fact]
    public async Task TriggerWhileTheContactIsInTheFlowDoesNotEnrollItAgain()
    {
        var flowId = await FormFlowAsync("always", wait: "P1D");
        var contactId = await _scenario.ContactAsync();
        var sentinel = await _scenario.ContactAsync();
        await _scenario.PostEventAsync(contactId, "form.submitted");
        var waiting = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Waiting);

        await _scenario.PostEventAsync(contactId, "form.submitted");
        await _scenario.PostEventAsync(sentinel, "form.submitted");
        await _scenario.StatusAsync(flowId, sentinel, ParticipantStatus.Waiting);

        var after = await _scenario.DetailAsync(flowId, contactId);
        Assert.Equal(ParticipantStatus.Waiting, after!.Summary.Status);
        Assert.Equal(waiting.Summary.EnrolledAt, after.Summary.EnrolledAt);
        Assert.Equal(waiting.WakeAt, after.WakeAt);
        Assert.Single(after.History, h => h.Type == "enrolled");
        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Waiting == 2, "the stats count both contacts");
        Assert.Equal(2, stats.Enrolled);
    }
}
