using System.Collections.Immutable;
using Orleans.Flows.Contacts;
using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;
using Orleans.Flows.Values;

namespace Orleans.Flows.Tests.Grains;

/// <summary>The filter and consent are checked again before the action after a wait, with the contact as it is then.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RecheckDuringWaitTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    [Fact]
    public async Task ContactThatNoLongerMatchesTheFilterExitsAfterTheWaitWithoutASecondSend()
    {
        var email = await _scenario.EmailAsync();
        var flowId = await _scenario.RunningAsync($$"""
            {
              "name": "Customers only",
              "filter": {"attribute": "attributes.category", "op": "eq", "value": "customer"},
              "startStepId": "welcome",
              "steps": [
                {"id": "welcome", "type": "sendEmail", "contentId": "{{email}}", "next": "pause"},
                {"id": "pause", "type": "wait", "duration": "PT2S", "next": "nudge"},
                {"id": "nudge", "type": "sendSms", "contentId": "{{await _scenario.SmsAsync()}}", "next": "done"},
                {"id": "done", "type": "end"}
              ]
            }
            """);
        var contactId = await _scenario.ContactAsync(new Dictionary<string, FieldValue> { ["category"] = FieldValue.Of("customer") });
        await _scenario.EnrollAllAsync(flowId, contactId);
        var first = (await _scenario.DetailAsync(flowId, contactId))!.Summary.LastSending;

        await _scenario.Contact(contactId).UpsertAsync(new ContactChange
        {
            Attributes = new Dictionary<string, FieldValue> { ["category"] = FieldValue.Of("lead") }.ToImmutableSortedDictionary(StringComparer.Ordinal),
        });

        var exited = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Exited);
        Assert.Equal("filtered_out", exited.ExitReason);
        var last = exited.History[^1];
        Assert.Equal(("nudge", "exited", "filtered_out"), (last.StepId, last.Outcome, last.Reason));
        Assert.Equal(email, exited.Summary.LastSending?.ContentId);
        Assert.Equal(first?.MessageId, exited.Summary.LastSending?.MessageId);
        Assert.DoesNotContain(exited.History, h => h.StepId == "nudge" && h.Outcome == "sent");
        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Exited == 1 && s.Sends.Sent == 1, "the stats count the exit");
        Assert.Equal(1, stats.Sends.Sent);
    }

    [Fact]
    public async Task ConsentWithdrawnDuringAWaitExitsAtTheNextEmailWithoutSending()
    {
        var welcome = await _scenario.EmailAsync("Welcome");
        var flowId = await _scenario.RunningAsync($$"""
            {
              "name": "Two emails",
              "startStepId": "welcome",
              "steps": [
                {"id": "welcome", "type": "sendEmail", "contentId": "{{welcome}}", "next": "pause"},
                {"id": "pause", "type": "wait", "duration": "PT2S", "next": "reminder"},
                {"id": "reminder", "type": "sendEmail", "contentId": "{{await _scenario.EmailAsync("Reminder")}}", "next": "done"},
                {"id": "done", "type": "end"}
              ]
            }
            """);
        var contactId = await _scenario.ContactAsync();
        await _scenario.EnrollAllAsync(flowId, contactId);

        await _scenario.Contact(contactId).UpsertAsync(new ContactChange { EmailConsent = false });

        var exited = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Exited);
        Assert.Equal("no_consent", exited.ExitReason);
        var last = exited.History[^1];
        Assert.Equal(("reminder", "exited", "no_consent"), (last.StepId, last.Outcome, last.Reason));
        Assert.Null(last.MessageId);
        Assert.Equal(welcome, exited.Summary.LastSending?.ContentId);
        Assert.Equal(1, FlowScenario.JourneyOf(exited));
        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Exited == 1 && s.Sends.Sent == 1, "the stats count the exit");
        Assert.Equal(1, stats.Sends.Sent);
    }
}
