using System.Diagnostics;
using Orleans.Flows.Flows;
using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Grains;

/// <summary>Resuming a paused flow releases the participants whose waits fell due during the pause at once.</summary>
[Collection(ClusterCollection.Name)]
public sealed class FlowResumeTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    [Fact]
    public async Task ParticipantHeldByThePauseMovesOnPromptlyAfterTheResume()
    {
        var sms = await _scenario.SmsAsync();
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(await _scenario.EmailAsync(), sms, "PT2S"));
        await _scenario.EnrollAllAsync(flowId, contactId);
        var wakeAt = (await _scenario.DetailAsync(flowId, contactId))!.WakeAt!.Value;
        Assert.Equal(FlowCommandError.None, (await _scenario.Flow(flowId).PauseAsync()).Error);

        var held = await _scenario.ParticipantAfterAsync(flowId, contactId, wakeAt + TimeSpan.FromSeconds(1));
        Assert.Equal(ParticipantStatus.Waiting, held!.Summary.Status);
        Assert.Equal("pause", held.Summary.CurrentStepId);

        var resumedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        Assert.Equal(FlowCommandError.None, (await _scenario.Flow(flowId).StartAsync()).Error);
        var done = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Completed);
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the held participant took {clock.Elapsed.TotalSeconds:0.0} s after the resume (the reminder period is a minute)");
        var nudge = Assert.Single(done.History, h => h.StepId == "nudge");
        Assert.Equal("sent", nudge.Outcome);
        Assert.Equal(wakeAt, nudge.ScheduledAt);
        Assert.True(nudge.At >= resumedAt, $"the sms ran at {nudge.At:O}, before the resume at {resumedAt:O}");
        Assert.Equal(sms, done.Summary.LastSending?.ContentId);
        Assert.Null(done.WakeAt);
    }
}
