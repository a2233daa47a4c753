using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;
using Orleans.Flows.Values;

namespace Orleans.Flows.Tests.Grains;

/// <summary>A <c>waitForEvent</c> step: the event moves the participant on, a timeout takes <c>onTimeout</c>.</summary>
[Collection(ClusterCollection.Name)]
public sealed class WaitForEventTests(ClusterFixture cluster)
{
    private const string OfferUrl = "https://example.com/offer";

    private readonly FlowScenario _scenario = new(cluster);

    /// <summary>welcome email → wait for a click on the offer → mark as lead (event) or nudge by sms (timeout) → end.</summary>
    private async Task<string> OfferFlowAsync(string timeout) => await _scenario.RunningAsync($$"""
        {
          "name": "Offer",
          "startStepId": "welcome",
          "steps": [
            {"id": "welcome", "type": "sendEmail", "contentId": "{{await _scenario.EmailAsync()}}", "next": "offer"},
            {"id": "offer", "type": "waitForEvent", "event": "link.clicked", "where": {"property": "url", "op": "eq", "value": "{{OfferUrl}}"},
             "timeout": "{{timeout}}", "next": "lead", "onTimeout": "nudge"},
            {"id": "lead", "type": "updateContact", "setAttributes": {"category": "lead"}, "next": "done"},
            {"id": "nudge", "type": "sendSms", "contentId": "{{await _scenario.SmsAsync()}}", "next": "done"},
            {"id": "done", "type": "end"}
          ]
        }
        """);

    [Fact]
    public async Task MatchingEventMovesTheParticipantOnAndTheNextStepRuns()
    {
        var flowId = await OfferFlowAsync("P1D");
        var contactId = await _scenario.ContactAsync();
        await _scenario.EnrollAllAsync(flowId, contactId);
        var waiting = await _scenario.DetailAsync(flowId, contactId);
        Assert.Equal(ParticipantStatus.Waiting, waiting!.Summary.Status);
        Assert.Equal("offer", waiting.Summary.CurrentStepId);

        await _scenario.PostEventAsync(contactId, "link.clicked", ("url", OfferUrl));

        var done = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Completed);
        Assert.Equal(
            ["enrolled:enrolled", "welcome:sent", "offer:waiting", "offer:event_received", "lead:updated", "done:ended"],
            done.History.Select(h => $"{h.StepId ?? h.Type}:{h.Outcome}"));
        Assert.Null(done.WakeAt);
        Assert.True(done.History[^1].At < waiting.WakeAt, "the journey went on well before the timeout");
        Assert.Equal(FieldValue.Of("lead"), (await _scenario.Contact(contactId).GetAsync())!.Attributes["category"]);
    }

    [Fact]
    public async Task NonMatchingEventLeavesTheParticipantWaiting()
    {
        var flowId = await OfferFlowAsync("P1D");
        var other = await _scenario.ContactAsync();
        var sentinel = await _scenario.ContactAsync();
        await _scenario.EnrollAllAsync(flowId, other, sentinel);
        var before = await _scenario.DetailAsync(flowId, other);

        await _scenario.PostEventAsync(other, "link.clicked", ("url", "https://example.com/elsewhere"));
        await _scenario.PostEventAsync(other, "email.opened", ("url", OfferUrl));
        await _scenario.PostEventAsync(other, "link.clicked");
        await _scenario.PostEventAsync(sentinel, "link.clicked", ("url", OfferUrl));
        await _scenario.StatusAsync(flowId, sentinel, ParticipantStatus.Completed);

        var after = await _scenario.DetailAsync(flowId, other);
        Assert.Equal(ParticipantStatus.Waiting, after!.Summary.Status);
        Assert.Equal("offer", after.Summary.CurrentStepId);
        Assert.Equal(before!.WakeAt, after.WakeAt);
        Assert.Equal<HistoryEntry>(before.History, after.History);
    }

    [Fact]
    public async Task WithoutAMatchingEventTheParticipantTakesOnTimeoutAtTheTimeout()
    {
        var flowId = await OfferFlowAsync("PT2S");
        var contactId = await _scenario.ContactAsync();
        await _scenario.EnrollAllAsync(flowId, contactId);
        var timeoutAt = (await _scenario.DetailAsync(flowId, contactId))!.WakeAt!.Value;
        await _scenario.PostEventAsync(contactId, "link.clicked", ("url", "https://example.com/elsewhere"));

        var done = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Completed);

        Assert.Equal(
            ["enrolled:enrolled", "welcome:sent", "offer:waiting", "offer:timed_out", "nudge:sent", "done:ended"],
            done.History.Select(h => $"{h.StepId ?? h.Type}:{h.Outcome}"));
        var timedOut = Assert.Single(done.History, h => h.Outcome == "timed_out");
        Assert.Equal(timeoutAt, timedOut.ScheduledAt);
        Assert.True(timedOut.At >= timeoutAt, $"timed out at {timedOut.At:O}, before the timeout {timeoutAt:O}");
        Assert.Equal("nudge", timedOut.Next);
        Assert.Equal("nudge", Assert.Single(done.History, h => h.MessageId == done.Summary.LastSending?.MessageId).StepId);
        Assert.False((await _scenario.Contact(contactId).GetAsync())!.Attributes.ContainsKey("category"));
    }
}
