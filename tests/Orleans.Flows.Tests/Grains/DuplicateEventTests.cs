using Orleans.Flows.Contacts;
using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Grains;

/// <summary>An event id is the idempotency key: a repeat changes nothing, also after the contact grain restarted.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DuplicateEventTests(ClusterFixture cluster) : IAsyncLifetime
{
    private readonly FlowScenario _scenario = new(cluster);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _scenario.EndTriggeredAsync();

    /// <summary>Re-entry "always" and a journey that ends at once: every routed trigger event would enroll again.</summary>
    private async Task<string> AlwaysReenteringFlowAsync() => await _scenario.TriggeredAsync($$"""
        {
          "name": "Thanks for the purchase",
          "trigger": {"type": "event", "event": "sale.created"},
          "reentry": "always",
          "startStepId": "welcome",
          "steps": [
            {"id": "welcome", "type": "sendEmail", "contentId": "{{await _scenario.EmailAsync()}}", "next": "done"},
            {"id": "done", "type": "end"}
          ]
        }
        """);

    [Fact]
    public async Task SameEventIdTwiceIsADuplicateAndEnrollsOnce()
    {
        var flowId = await AlwaysReenteringFlowAsync();
        var contactId = await _scenario.ContactAsync();
        var sale = new IncomingEvent(contactId, FlowScenario.Event("sale.created"));

        var first = await _scenario.IngestAsync(sale);
        var second = await _scenario.IngestAsync(sale);

        Assert.Equal(new EventIngestResult(1, 0), first);
        Assert.Equal(new EventIngestResult(0, 1), second);
        var done = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Completed);
        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Completed == 1, "the stats count the completed journey");
        Assert.Equal(1, stats.Enrolled);
        Assert.Single(done.History, h => h.Type == "enrolled");
        Assert.Equal(1, FlowScenario.JourneyOf(done));
        Assert.Single((await _scenario.Contact(contactId).GetSnapshotAsync())!.Events, e => e.Id == sale.Event.Id);
    }

    [Fact]
    public async Task DuplicateWithinOneBatchIsCountedOnce()
    {
        var contactId = await _scenario.ContactAsync();
        var e = FlowScenario.Event("page.viewed");

        var result = await _scenario.IngestAsync(new IncomingEvent(contactId, e), new IncomingEvent(contactId, e));

        Assert.Equal(new EventIngestResult(1, 1), result);
    }

    [Fact]
    public async Task DuplicateIsRecognisedAfterTheContactGrainWasDeactivated()
    {
        var flowId = await AlwaysReenteringFlowAsync();
        var contactId = await _scenario.ContactAsync();
        var sale = new IncomingEvent(contactId, FlowScenario.Event("sale.created"));
        Assert.Equal(new EventIngestResult(1, 0), await _scenario.IngestAsync(sale));
        await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Completed);

        var contactGrainId = _scenario.Contact(contactId).GetGrainId();
        var management = cluster.Grains.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        await Eventually.Matches(
            () => management.GetDetailedGrainStatistics(),
            grains => grains.All(g => g.GrainId != contactGrainId),
            FlowScenario.Timeout,
            "the contact grain is deactivated");

        var again = await _scenario.IngestAsync(sale);

        Assert.Equal(new EventIngestResult(0, 1), again);
        var detail = await _scenario.DetailAsync(flowId, contactId);
        Assert.Equal(ParticipantStatus.Completed, detail!.Summary.Status);
        Assert.Equal(1, FlowScenario.JourneyOf(detail));
        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Completed == 1, "the stats count the completed journey");
        Assert.Equal(1, stats.Enrolled);
    }
}
