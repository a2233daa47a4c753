using Orleans.Flows.Content;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class JourneyTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    [Fact]
    public async Task WaitStepHoldsTheParticipantUntilItsDueTime()
    {
        var email = await _scenario.EmailAsync();
        var sms = await _scenario.SmsAsync();
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(email, sms, "PT2S"));

        var before = DateTimeOffset.UtcNow;
        await _scenario.EnrollAllAsync(flowId, contactId);
        var after = DateTimeOffset.UtcNow;

        var detail = await _scenario.DetailAsync(flowId, contactId);
        Assert.NotNull(detail);
        Assert.Equal(ParticipantStatus.Waiting, detail.Summary.Status);
        Assert.Equal("pause", detail.Summary.CurrentStepId);
        Assert.NotNull(detail.WakeAt);
        Assert.InRange(detail.WakeAt.Value, before.AddSeconds(2), after.AddSeconds(2));
    }

    [Fact]
    public async Task WaitStepWakesTheParticipantAndTheJourneyCompletesByItself()
    {
        var email = await _scenario.EmailAsync();
        var sms = await _scenario.SmsAsync();
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(email, sms, "PT2S"));
        await _scenario.EnrollAllAsync(flowId, contactId);

        var done = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Completed);

        Assert.Equal(
            ["enrolled:enrolled", "welcome:sendEmail:sent", "pause:wait:waiting", "nudge:sendSms:sent", "done:end:ended"],
            done.History.Select(h => h.StepId is null ? $"{h.Type}:{h.Outcome}" : $"{h.StepId}:{h.Type}:{h.Outcome}"));
        Assert.Null(done.WakeAt);
        Assert.Equal("done", done.Summary.CurrentStepId);
    }

    [Fact]
    public async Task StepAfterAWaitIsScheduledAtTheWaitsEnd()
    {
        var email = await _scenario.EmailAsync();
        var sms = await _scenario.SmsAsync();
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(email, sms, "PT2S"));
        await _scenario.EnrollAllAsync(flowId, contactId);

        var done = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Completed);

        var wait = Assert.Single(done.History, h => h.StepId == "pause");
        var second = Assert.Single(done.History, h => h.StepId == "nudge");
        Assert.NotNull(wait.Until);
        Assert.Equal(wait.Until.Value, second.ScheduledAt);
        Assert.True(second.At >= second.ScheduledAt, $"the sms ran at {second.At:O}, before it was due at {second.ScheduledAt:O}");
    }

    [Fact]
    public async Task LastSendingIsTheLastMessageWithItsDeliveryStatus()
    {
        var email = await _scenario.EmailAsync();
        var sms = await _scenario.SmsAsync();
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(email, sms, "PT2S"));
        await _scenario.EnrollAllAsync(flowId, contactId);

        var waiting = await _scenario.DetailAsync(flowId, contactId);
        Assert.Equal(email, waiting?.Summary.LastSending?.ContentId);

        await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Completed);
        // The dispatcher sends it a moment later; lastSending then says so.
        var done = await _scenario.ParticipantUntilAsync(flowId, contactId, p => p.Summary.LastSending?.Status == "sent", "the last message is sent");

        var last = done.Summary.LastSending;
        Assert.NotNull(last);
        Assert.Equal(sms, last.ContentId);
        Assert.Equal(Channel.Sms, last.Channel);
        Assert.Equal("sent", last.Status);
        Assert.Equal(Assert.Single(done.History, h => h.StepId == "nudge").MessageId, last.MessageId);
    }

    [Fact]
    public async Task SendStepMessageIdIsDerivedFromParticipantStepAndVisit()
    {
        var email = await _scenario.EmailAsync();
        var sms = await _scenario.SmsAsync();
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(email, sms, "PT1H"));
        await _scenario.EnrollAllAsync(flowId, contactId);

        var detail = await _scenario.DetailAsync(flowId, contactId);

        var send = Assert.Single(detail!.History, h => h.StepId == "welcome");
        Assert.Equal(MessageIds.For(flowId, contactId, 1, "welcome", 1), send.MessageId);
        Assert.Equal(send.MessageId, detail.Summary.LastSending?.MessageId);
    }
}
