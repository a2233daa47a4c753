using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class ParticipantRemovalTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    [Fact]
    public async Task RemovingAWaitingParticipantMarksItRemoved()
    {
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(await _scenario.EmailAsync(), await _scenario.SmsAsync(), "PT1H"));
        await _scenario.EnrollAllAsync(flowId, contactId);

        Assert.True(await _scenario.Participant(flowId, contactId).RemoveAsync());

        var detail = await _scenario.DetailAsync(flowId, contactId);
        Assert.Equal(ParticipantStatus.Removed, detail!.Summary.Status);
        Assert.Equal("removed", detail.ExitReason);
        Assert.Null(detail.WakeAt);
        var last = detail.History[^1];
        Assert.Equal(("pause", "removed", "removed"), (last.StepId, last.Outcome, last.Reason));
    }

    [Fact]
    public async Task RemovedParticipantDoesNotSendItsNextMessageAfterTheWait()
    {
        var email = await _scenario.EmailAsync();
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(email, await _scenario.SmsAsync(), "PT2S"));
        await _scenario.EnrollAllAsync(flowId, contactId);
        var wakeAt = (await _scenario.DetailAsync(flowId, contactId))!.WakeAt!.Value;

        Assert.True(await _scenario.Participant(flowId, contactId).RemoveAsync());
        var later = await _scenario.ParticipantAfterAsync(flowId, contactId, wakeAt + TimeSpan.FromSeconds(2));

        Assert.Equal(ParticipantStatus.Removed, later!.Summary.Status);
        Assert.Equal(email, later.Summary.LastSending?.ContentId);
        Assert.DoesNotContain(later.History, h => h.StepId == "nudge");
    }

    [Fact]
    public async Task RemovingAParticipantThatLeftAnswersFalse()
    {
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(await _scenario.EmailAsync(), await _scenario.SmsAsync(), "PT1H"));
        await _scenario.EnrollAllAsync(flowId, contactId);
        await _scenario.Participant(flowId, contactId).RemoveAsync();

        Assert.False(await _scenario.Participant(flowId, contactId).RemoveAsync());
        Assert.False(await _scenario.Participant(flowId, TestIds.New("contact")).RemoveAsync());
    }

    [Fact]
    public async Task RemovedParticipantIsCountedAsRemoved()
    {
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(await _scenario.EmailAsync(), await _scenario.SmsAsync(), "PT1H"));
        await _scenario.EnrollAllAsync(flowId, contactId);

        await _scenario.Participant(flowId, contactId).RemoveAsync();

        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Removed == 1 && s.Waiting == 0, "the stats count one removed participant");
        Assert.Equal(1, stats.Enrolled);
        Assert.Equal(0, stats.Steps["pause"].Waiting);
    }
}
