using Orleans.Flows.Flows;
using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Grains;

/// <summary>Ending a flow exits every waiting participant; events that arrive afterwards change nothing.</summary>
[Collection(ClusterCollection.Name)]
public sealed class FlowEndEventTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    /// <summary>email → wait a day for a click → sms, successful on <c>sale.created</c>.</summary>
    private async Task<string> ClickFlowAsync() => await _scenario.RunningAsync($$"""
        {
          "name": "Click or sale",
          "success": {"when": {"event": "sale.created"}, "then": "stop"},
          "startStepId": "welcome",
          "steps": [
            {"id": "welcome", "type": "sendEmail", "contentId": "{{await _scenario.EmailAsync()}}", "next": "offer"},
            {"id": "offer", "type": "waitForEvent", "event": "link.clicked", "timeout": "P1D", "next": "thanks", "onTimeout": "done"},
            {"id": "thanks", "type": "sendSms", "contentId": "{{await _scenario.SmsAsync()}}", "next": "done"},
            {"id": "done", "type": "end"}
          ]
        }
        """);

    [Fact]
    public async Task EndExitsEveryWaitingParticipantAndLaterEventsChangeNothing()
    {
        var ended = await ClickFlowAsync();
        var sentinelFlow = await _scenario.RunningAsync($$"""
            {
              "name": "Sale sentinel",
              "success": {"when": {"event": "sale.created"}, "then": "stop"},
              "startStepId": "pause",
              "steps": [
                {"id": "pause", "type": "wait", "duration": "P1D", "next": "done"},
                {"id": "done", "type": "end"}
              ]
            }
            """);
        var first = await _scenario.ContactAsync();
        var second = await _scenario.ContactAsync();
        await _scenario.EnrollAllAsync(ended, first, second);
        await _scenario.EnrollAllAsync(sentinelFlow, first);
        await _scenario.ListUntilAsync(ended, new ParticipantQuery { Status = ParticipantStatus.Waiting }, p => p.Items.Length == 2, "the list has both participants");

        Assert.Equal(FlowCommandError.None, (await _scenario.Flow(ended).EndAsync()).Error);

        var firstExited = await _scenario.StatusAsync(ended, first, ParticipantStatus.Exited);
        var secondExited = await _scenario.StatusAsync(ended, second, ParticipantStatus.Exited);
        Assert.Equal("flow_ended", firstExited.ExitReason);
        Assert.Equal("flow_ended", secondExited.ExitReason);
        Assert.Null(firstExited.WakeAt);
        Assert.Equal(("offer", "flow_ended"), (firstExited.History[^1].StepId, firstExited.History[^1].Reason));

        await _scenario.PostEventAsync(first, "link.clicked", ("url", "https://example.com"));
        await _scenario.PostEventAsync(second, "link.clicked", ("url", "https://example.com"));
        await _scenario.PostEventAsync(second, "sale.created");
        await _scenario.PostEventAsync(first, "sale.created");
        // The last event also reaches the contact's participant in a running flow: once that one has it, the ended one had it too.
        await _scenario.StatusAsync(sentinelFlow, first, ParticipantStatus.Succeeded);

        var firstAfter = await _scenario.DetailAsync(ended, first);
        var secondAfter = await _scenario.DetailAsync(ended, second);
        Assert.Equal(firstExited, firstAfter, new DetailComparer());
        Assert.Equal(secondExited, secondAfter, new DetailComparer());
        var stats = await _scenario.StatsUntilAsync(ended, s => s.Exited == 2 && s.Sends.Sent == 2, "the stats count two exits");
        Assert.Equal(0, stats.Waiting);
        Assert.Equal(0, stats.SucceededTotal);
        Assert.Equal(0.0, stats.SuccessRate);
        Assert.Equal(2, stats.Sends.Sent);
    }

    /// <summary>Records with arrays compare by reference; this compares what a client sees.</summary>
    private sealed class DetailComparer : IEqualityComparer<ParticipantDetail?>
    {
        public bool Equals(ParticipantDetail? x, ParticipantDetail? y) =>
            x is not null && y is not null && x.Summary == y.Summary && x.WakeAt == y.WakeAt && x.ExitReason == y.ExitReason &&
            x.Version == y.Version && x.History.SequenceEqual(y.History);

        public int GetHashCode(ParticipantDetail? obj) => obj?.Summary.ContactId.GetHashCode(StringComparison.Ordinal) ?? 0;
    }
}
