using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Grains;

/// <summary>A removed participant stops at once: neither its wake-up nor an event moves it on.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RemovalDuringWaitTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    [Fact]
    public async Task RemovedParticipantIgnoresItsTimeoutAndLaterEvents()
    {
        var email = await _scenario.EmailAsync();
        var flowId = await _scenario.RunningAsync($$"""
            {
              "name": "Offer",
              "startStepId": "welcome",
              "steps": [
                {"id": "welcome", "type": "sendEmail", "contentId": "{{email}}", "next": "offer"},
                {"id": "offer", "type": "waitForEvent", "event": "link.clicked", "timeout": "PT2S", "next": "thanks", "onTimeout": "nudge"},
                {"id": "thanks", "type": "sendSms", "contentId": "{{await _scenario.SmsAsync()}}", "next": "done"},
                {"id": "nudge", "type": "sendSms", "contentId": "{{await _scenario.SmsAsync()}}", "next": "done"},
                {"id": "done", "type": "end"}
              ]
            }
            """);
        var contactId = await _scenario.ContactAsync();
        await _scenario.EnrollAllAsync(flowId, contactId);
        var timeoutAt = (await _scenario.DetailAsync(flowId, contactId))!.WakeAt!.Value;

        Assert.True(await _scenario.Participant(flowId, contactId).RemoveAsync());

        var removed = await _scenario.DetailAsync(flowId, contactId);
        Assert.Equal(ParticipantStatus.Removed, removed!.Summary.Status);
        Assert.Null(removed.WakeAt);
        await _scenario.PostEventAsync(contactId, "link.clicked", ("url", "https://example.com"));
        var later = await _scenario.ParticipantAfterAsync(flowId, contactId, timeoutAt + TimeSpan.FromSeconds(1.5));

        Assert.Equal(ParticipantStatus.Removed, later!.Summary.Status);
        Assert.Equal("offer", later.Summary.CurrentStepId);
        Assert.Equal(email, later.Summary.LastSending?.ContentId);
        Assert.Equal(removed.History.Length, later.History.Length);
        Assert.DoesNotContain(later.History, h => h.StepId is "thanks" or "nudge");
        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Removed == 1 && s.Sends.Sent == 1, "the stats count the removal");
        Assert.Equal(0, stats.Waiting);
        Assert.Equal(1, stats.Sends.Sent);
    }
}
