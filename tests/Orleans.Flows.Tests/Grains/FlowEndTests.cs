using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class FlowEndTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    private async Task<(string FlowId, string ContactId)> WaitingParticipantAsync(string wait = "PT1H")
    {
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(await _scenario.EmailAsync(), await _scenario.SmsAsync(), wait));
        await _scenario.EnrollAllAsync(flowId, contactId);
        return (flowId, contactId);
    }

    [Fact]
    public async Task EndingAFlowExitsItsWaitingParticipantsWithReasonFlowEnded()
    {
        var (flowId, contactId) = await WaitingParticipantAsync();
        await _scenario.ListUntilAsync(flowId, new ParticipantQuery(), p => p.Items.Length == 1, "the list has the participant");

        await _scenario.Flow(flowId).EndAsync();

        var exited = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Exited);
        Assert.Equal("flow_ended", exited.ExitReason);
        Assert.Null(exited.WakeAt);
        var last = exited.History[^1];
        Assert.Equal(("pause", "exited", "flow_ended"), (last.StepId, last.Outcome, last.Reason));
    }

    [Fact]
    public async Task EndingAFlowRightAfterAnEnrollmentExitsThatParticipantToo()
    {
        // The participant list is fed every 250 ms: the end must not miss a participant it has not listed yet.
        var (flowId, contactId) = await WaitingParticipantAsync();

        await _scenario.Flow(flowId).EndAsync();

        var exited = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Exited);
        Assert.Equal("flow_ended", exited.ExitReason);
    }

    [Fact]
    public async Task ParticipantOfAnEndedFlowDoesNotSendAfterItsWait()
    {
        var (flowId, contactId) = await WaitingParticipantAsync("PT2S");
        var wakeAt = (await _scenario.DetailAsync(flowId, contactId))!.WakeAt!.Value;

        await _scenario.Flow(flowId).EndAsync();
        var later = await _scenario.ParticipantAfterAsync(flowId, contactId, wakeAt + TimeSpan.FromSeconds(2));

        Assert.Equal(ParticipantStatus.Exited, later!.Summary.Status);
        Assert.Equal("flow_ended", later.ExitReason);
        Assert.DoesNotContain(later.History, h => h.StepId == "nudge");
    }

    [Fact]
    public async Task EndingAFlowCountsItsParticipantsAsExited()
    {
        var (flowId, _) = await WaitingParticipantAsync();
        await _scenario.ListUntilAsync(flowId, new ParticipantQuery(), p => p.Items.Length == 1, "the list has the participant");

        await _scenario.Flow(flowId).EndAsync();

        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Exited == 1 && s.Waiting == 0, "the stats count one exited participant");
        Assert.Equal(0, stats.Steps["pause"].Waiting);
        var row = await _scenario.ListUntilAsync(flowId, new ParticipantQuery { Status = ParticipantStatus.Exited }, p => p.Items.Length == 1,
            "the list shows the participant as exited");
        Assert.Equal("pause", row.Items[0].CurrentStepId);
    }
}
