using Microsoft.Extensions.DependencyInjection;
using Orleans.Flows.Flows;
using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;
using Orleans.TestingHost;

namespace Orleans.Flows.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class FlowVersionTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    private static string VersionJson(string version, string emailId, string smsId) => $$"""
        {
          "name": "Versioned {{version}}",
          "startStepId": "welcome",
          "steps": [
            {"id": "welcome", "type": "sendEmail", "contentId": "{{emailId}}", "next": "pause"},
            {"id": "pause", "type": "wait", "duration": "PT3S", "next": "{{version}}-sms"},
            {"id": "{{version}}-sms", "type": "sendSms", "contentId": "{{smsId}}", "next": "done"},
            {"id": "done", "type": "end"}
          ]
        }
        """;

    /// <summary>Pauses, saves <paramref name="json"/> as the next version and resumes.</summary>
    private async Task EditWhilePausedAsync(string flowId, string json)
    {
        var flow = _scenario.Flow(flowId);
        Assert.Equal(FlowCommandError.None, (await flow.PauseAsync()).Error);
        var updated = await flow.UpdateAsync(FlowScenario.Definition(json));
        Assert.Equal(FlowCommandError.None, updated.Error);
        Assert.Equal(2, updated.Flow?.Version);
        Assert.Equal(FlowCommandError.None, (await flow.StartAsync()).Error);
    }

    [Fact]
    public async Task ParticipantKeepsTheVersionItWasEnrolledIn()
    {
        var email = await _scenario.EmailAsync();
        var smsV1 = await _scenario.SmsAsync("v1-sms");
        var smsV2 = await _scenario.SmsAsync("v2-sms");
        var a = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(VersionJson("v1", email, smsV1));
        await _scenario.EnrollAllAsync(flowId, a);

        await EditWhilePausedAsync(flowId, VersionJson("v2", email, smsV2));

        var done = await _scenario.StatusAsync(flowId, a, ParticipantStatus.Completed);
        Assert.Equal(1, done.Version);
        Assert.Contains(done.History, h => h.StepId == "v1-sms" && h.Outcome == "sent");
        Assert.DoesNotContain(done.History, h => h.StepId == "v2-sms");
        Assert.Equal(smsV1, done.Summary.LastSending?.ContentId);
    }

    [Fact]
    public async Task ContactEnrolledAfterAnEditRunsTheNewVersion()
    {
        var email = await _scenario.EmailAsync();
        var smsV1 = await _scenario.SmsAsync("v1-sms");
        var smsV2 = await _scenario.SmsAsync("v2-sms");
        var a = await _scenario.ContactAsync();
        var b = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(VersionJson("v1", email, smsV1));
        await _scenario.EnrollAllAsync(flowId, a);
        await EditWhilePausedAsync(flowId, VersionJson("v2", email, smsV2));

        await _scenario.EnrollAllAsync(flowId, b);

        Assert.Equal(2, (await _scenario.DetailAsync(flowId, b))!.Version);
        var done = await _scenario.StatusAsync(flowId, b, ParticipantStatus.Completed);
        Assert.Contains(done.History, h => h.StepId == "v2-sms" && h.Outcome == "sent");
        Assert.DoesNotContain(done.History, h => h.StepId == "v1-sms");
        Assert.Equal(smsV2, done.Summary.LastSending?.ContentId);
        Assert.Equal(1, (await _scenario.StatusAsync(flowId, a, ParticipantStatus.Completed)).Version);
    }


    /// <summary>The flow cache of every silo of the test cluster.</summary>
    private IEnumerable<FlowDefinitionCache> Caches() =>
        cluster.Cluster.Silos.OfType<InProcessSiloHandle>().Select(s => s.ServiceProvider.GetRequiredService<FlowDefinitionCache>());

    [Fact]
    public async Task EveryClusterSiloSeesTheNewVersionOnceTheEditedFlowResumes()
    {
        var email = await _scenario.EmailAsync();
        var flowId = await _scenario.RunningAsync(VersionJson("v1", email, await _scenario.SmsAsync("v1-sms")));
        // What a participant does on each silo where it enrolls or wakes.
        foreach (var cache in Caches()) Assert.Equal(1, (await cache.GetCurrentAsync(flowId))?.Version);

        await EditWhilePausedAsync(flowId, VersionJson("v2", email, await _scenario.SmsAsync("v2-sms")));

        foreach (var cache in Caches()) Assert.Equal(2, (await cache.GetCurrentAsync(flowId))?.Version);
    }

    [Fact]
    public async Task EveryClusterSiloSeesThePauseOnceItIsDone()
    {
        var flowId = await _scenario.RunningAsync(VersionJson("v1", await _scenario.EmailAsync(), await _scenario.SmsAsync()));
        foreach (var cache in Caches()) Assert.Equal(FlowStatus.Running, (await cache.GetCurrentAsync(flowId))?.Status);

        await _scenario.Flow(flowId).PauseAsync();

        foreach (var cache in Caches()) Assert.Equal(FlowStatus.Paused, (await cache.GetCurrentAsync(flowId))?.Status);
    }

    [Fact]
    public async Task EnrollmentRightAfterAnEditRunsTheNewVersionOnEverySilo()
    {
        var email = await _scenario.EmailAsync();
        var smsV1 = await _scenario.SmsAsync("v1-sms");
        var smsV2 = await _scenario.SmsAsync("v2-sms");
        // Enough contacts that both silos host participants of the flow, and so cache its version 1.
        var before = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => _scenario.ContactAsync()));
        var after = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => _scenario.ContactAsync()));
        var flowId = await _scenario.RunningAsync(VersionJson("v1", email, smsV1));
        await _scenario.EnrollAllAsync(flowId, before);

        await EditWhilePausedAsync(flowId, VersionJson("v2", email, smsV2));
        await _scenario.EnrollAllAsync(flowId, after);

        var versions = await Task.WhenAll(after.Select(async c => (c, (await _scenario.DetailAsync(flowId, c))!.Version)));
        Assert.All(versions, v => Assert.True(v.Version == 2, $"{v.c} was enrolled on version {v.Version} after version 2 was saved and the flow resumed"));
    }
}
