using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Grains;

/// <summary>Success criteria met by an event while the participant waits: stop, continue, move to another flow.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SuccessCriteriaTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    /// <summary>email → wait a day → sms, successful on <c>sale.created</c>.</summary>
    private async Task<string> SaleFlowAsync(string then, string? moveTo = null) => await _scenario.RunningAsync($$"""
        {
          "name": "Sell",
          "success": {"when": {"event": "sale.created"}, "then": "{{then}}", "moveTo": {{(moveTo is null ? "null" : $"\"{moveTo}\"")}} },
          "startStepId": "welcome",
          "steps": [
            {"id": "welcome", "type": "sendEmail", "contentId": "{{await _scenario.EmailAsync()}}", "next": "pause"},
            {"id": "pause", "type": "wait", "duration": "P1D", "next": "nudge"},
            {"id": "nudge", "type": "sendSms", "contentId": "{{await _scenario.SmsAsync()}}", "next": "done"},
            {"id": "done", "type": "end"}
          ]
        }
        """);

    [Fact]
    public async Task SuccessWithStopEndsTheWaitAsSucceeded()
    {
        var flowId = await SaleFlowAsync("stop");
        var contactId = await _scenario.ContactAsync();
        await _scenario.EnrollAllAsync(flowId, contactId);

        await _scenario.PostEventAsync(contactId, "sale.created", ("amount", "100"));

        var succeeded = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Succeeded);
        Assert.True(succeeded.Summary.Succeeded);
        Assert.Null(succeeded.WakeAt);
        Assert.Equal("success", succeeded.ExitReason);
        var last = succeeded.History[^1];
        Assert.Equal(("pause", "succeeded", "success"), (last.StepId, last.Outcome, last.Reason));
        Assert.DoesNotContain(succeeded.History, h => h.StepId == "nudge");
        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Succeeded == 1 && s.Waiting == 0, "the stats count one succeeded participant");
        Assert.Equal(1, stats.Enrolled);
        Assert.Equal(1, stats.SucceededTotal);
        Assert.Equal(1.0, stats.SuccessRate);
        Assert.Equal(0, stats.Steps["pause"].Waiting);
    }

    [Fact]
    public async Task SuccessWithContinueKeepsTheParticipantWaitingAndMarksItSucceeded()
    {
        var flowId = await SaleFlowAsync("continue");
        var contactId = await _scenario.ContactAsync();
        await _scenario.EnrollAllAsync(flowId, contactId);
        var wakeAt = (await _scenario.DetailAsync(flowId, contactId))!.WakeAt;

        await _scenario.PostEventAsync(contactId, "sale.created");

        var marked = await _scenario.ParticipantUntilAsync(flowId, contactId, d => d.Summary.Succeeded, "the participant is marked successful");
        Assert.Equal(ParticipantStatus.Waiting, marked.Summary.Status);
        Assert.Equal("pause", marked.Summary.CurrentStepId);
        Assert.Equal(wakeAt, marked.WakeAt);
        Assert.Null(marked.ExitReason);
        // Each silo flushes its own deltas: the enrollment and the success may have been counted on different silos.
        var stats = await _scenario.StatsUntilAsync(flowId, s => s.SucceededTotal == 1 && s.Enrolled == 1, "the stats count one enrolled, successful participant");
        Assert.Equal(1, stats.Waiting);
        Assert.Equal(0, stats.Succeeded);
        Assert.Equal(1.0, stats.SuccessRate);
    }

    [Fact]
    public async Task SuccessWithMoveToEnrollsTheContactInTheOtherFlow()
    {
        var vip = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(await _scenario.EmailAsync("VIP"), await _scenario.SmsAsync(), "P1D"));
        var flowId = await SaleFlowAsync("stop", moveTo: vip);
        var contactId = await _scenario.ContactAsync();
        await _scenario.EnrollAllAsync(flowId, contactId);

        await _scenario.PostEventAsync(contactId, "sale.created");

        var moved = await _scenario.StatusAsync(vip, contactId, ParticipantStatus.Waiting);
        Assert.Equal("pause", moved.Summary.CurrentStepId);
        var succeeded = await _scenario.DetailAsync(flowId, contactId);
        Assert.Equal(ParticipantStatus.Succeeded, succeeded!.Summary.Status);
        Assert.Equal(vip, succeeded.History[^1].Next);
    }

    [Fact]
    public async Task SaleBeforeEnrollmentDoesNotCount()
    {
        var flowId = await SaleFlowAsync("stop");
        var contactId = await _scenario.ContactAsync();
        await _scenario.PostEventAsync(contactId, "sale.created");
        var sentinel = await _scenario.ContactAsync();

        await _scenario.EnrollAllAsync(flowId, contactId, sentinel);
        await _scenario.PostEventAsync(sentinel, "sale.created");
        await _scenario.StatusAsync(flowId, sentinel, ParticipantStatus.Succeeded);

        var detail = await _scenario.DetailAsync(flowId, contactId);
        Assert.Equal(ParticipantStatus.Waiting, detail!.Summary.Status);
        Assert.False(detail.Summary.Succeeded);
    }
}
