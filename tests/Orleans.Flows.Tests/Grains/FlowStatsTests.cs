using Orleans.Flows.Participants;
using Orleans.Flows.Statistics;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class FlowStatsTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    private static StepStats Step(FlowStats stats, string stepId) => stats.Steps.TryGetValue(stepId, out var s) ? s : new StepStats();

    [Fact]
    public async Task StatsCountAWaitingParticipantAtItsWaitStep()
    {
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(await _scenario.EmailAsync(), await _scenario.SmsAsync(), "PT1H"));
        await _scenario.EnrollAllAsync(flowId, contactId);

        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Enrolled == 1 && s.Waiting == 1 && s.Sends.Sent == 1, "the stats show one waiting participant");

        Assert.Equal(0, stats.Active);
        Assert.Equal(0, stats.Completed);
        Assert.Equal(new StepStats { Entered = 1, Completed = 0, Waiting = 1 }, Step(stats, "pause"));
        Assert.Equal(new StepStats { Entered = 1, Completed = 1, Waiting = 0 }, Step(stats, "welcome"));
        Assert.Equal(new StepStats(), Step(stats, "nudge"));
        Assert.Equal(1, stats.Sends.Sent);
    }

    [Fact]
    public async Task StatsCountACompletedJourneyStepByStep()
    {
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(await _scenario.EmailAsync(), await _scenario.SmsAsync(), "PT2S"));
        await _scenario.EnrollAllAsync(flowId, contactId);
        await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Completed);

        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Completed == 1 && s.Waiting == 0 && s.Sends.Sent == 2, "the stats show the completed journey");

        Assert.Equal(1, stats.Enrolled);
        Assert.Equal(0, stats.Active);
        Assert.Equal(0, stats.Exited);
        foreach (var stepId in new[] { "welcome", "pause", "nudge", "done" })
            Assert.Equal(new StepStats { Entered = 1, Completed = 1, Waiting = 0 }, Step(stats, stepId));
        Assert.Equal(2, stats.Sends.Sent);
        Assert.Equal(0, stats.SuccessRate);
    }

    [Fact]
    public async Task StatsCountEveryEnrolledContactOnce()
    {
        var contacts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _scenario.ContactAsync()));
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(await _scenario.EmailAsync(), await _scenario.SmsAsync(), "PT1H"));
        await _scenario.EnrollAllAsync(flowId, contacts);
        await _scenario.EnrollAsync(flowId, contacts);

        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Waiting == 4 && s.Sends.Sent == 4, "the stats show four waiting participants");

        Assert.Equal(4, stats.Enrolled);
        Assert.Equal(4, stats.Sends.Sent);
        Assert.Equal(4, Step(stats, "pause").Waiting);
    }
}
