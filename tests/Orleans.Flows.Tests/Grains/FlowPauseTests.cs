using Orleans.Flows.Flows;
using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class FlowPauseTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    [Fact]
    public async Task PausedFlowHoldsAWaitingParticipantPastItsDueTime()
    {
        var email = await _scenario.EmailAsync();
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(email, await _scenario.SmsAsync(), "PT2S"));
        await _scenario.EnrollAllAsync(flowId, contactId);
        var wakeAt = (await _scenario.DetailAsync(flowId, contactId))!.WakeAt!.Value;

        Assert.Equal(FlowCommandError.None, (await _scenario.Flow(flowId).PauseAsync()).Error);
        var held = await _scenario.ParticipantAfterAsync(flowId, contactId, wakeAt + TimeSpan.FromSeconds(2));

        Assert.Equal(ParticipantStatus.Waiting, held!.Summary.Status);
        Assert.Equal("pause", held.Summary.CurrentStepId);
        Assert.Equal(email, held.Summary.LastSending?.ContentId);
        Assert.DoesNotContain(held.History, h => h.StepId == "nudge");
    }

    [Fact]
    public async Task EndingAPausedFlowExitsItsHeldParticipants()
    {
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(await _scenario.EmailAsync(), await _scenario.SmsAsync(), "PT1H"));
        await _scenario.EnrollAllAsync(flowId, contactId);
        await _scenario.ListUntilAsync(flowId, new ParticipantQuery(), p => p.Items.Length == 1, "the list has the participant");
        await _scenario.Flow(flowId).PauseAsync();

        await _scenario.Flow(flowId).EndAsync();

        var exited = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Exited);
        Assert.Equal("flow_ended", exited.ExitReason);
    }
}
