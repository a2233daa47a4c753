using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;
using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Grains;

/// <summary>Flows started by an event: which events enroll whom, and when they do not.</summary>
[Collection(ClusterCollection.Name)]
public sealed class EventTriggerTests(ClusterFixture cluster) : IAsyncLifetime
{
    private readonly FlowScenario _scenario = new(cluster);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _scenario.EndTriggeredAsync();

    /// <summary>form.submitted with formId demo → welcome email → a long wait, so the participant stays.</summary>
    private async Task<string> DemoFormFlowJsonAsync() => $$"""
        {
          "name": "Demo requests",
          "trigger": {"type": "event", "event": "form.submitted", "where": {"property": "formId", "op": "eq", "value": "demo"} },
          "startStepId": "welcome",
          "steps": [
            {"id": "welcome", "type": "sendEmail", "contentId": "{{await _scenario.EmailAsync()}}", "next": "pause"},
            {"id": "pause", "type": "wait", "duration": "P1D", "next": "done"},
            {"id": "done", "type": "end"}
          ]
        }
        """;

    private static IncomingEvent DemoForm(string contactId, string formId = "demo", string type = "form.submitted") =>
        new(contactId, FlowScenario.Event(type, ("formId", formId)));

    [Fact]
    public async Task MatchingEventEnrollsTheContactIntoTheRunningFlow()
    {
        var flowId = await _scenario.TriggeredAsync(await DemoFormFlowJsonAsync());
        var contactId = await _scenario.ContactAsync();

        var result = await _scenario.IngestAsync(DemoForm(contactId));

        Assert.Equal(new EventIngestResult(1, 0), result);
        var enrolled = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Waiting);
        Assert.Equal("pause", enrolled.Summary.CurrentStepId);
        Assert.Equal(
            ["enrolled:enrolled", "welcome:sent", "pause:waiting"],
            enrolled.History.Select(h => $"{h.StepId ?? h.Type}:{h.Outcome}"));
        Assert.Contains(await _scenario.Contact(contactId).GetFlowsAsync(), f => f.FlowId == flowId);
    }

    [Fact]
    public async Task EventWithAnotherFormIdOrOfAnotherTypeEnrollsNobody()
    {
        var flowId = await _scenario.TriggeredAsync(await DemoFormFlowJsonAsync());
        var otherForm = await _scenario.ContactAsync();
        var otherType = await _scenario.ContactAsync();
        var noProperty = await _scenario.ContactAsync();
        var sentinel = await _scenario.ContactAsync();

        var result = await _scenario.IngestAsync(
            DemoForm(otherForm, formId: "other"),
            DemoForm(otherType, type: "form.viewed"),
            new IncomingEvent(noProperty, FlowScenario.Event("form.submitted")));
        Assert.Equal(new EventIngestResult(3, 0), result);
        // Posted after the others: once it is in, the others were routed long ago.
        await _scenario.IngestAsync(DemoForm(sentinel));
        await _scenario.StatusAsync(flowId, sentinel, ParticipantStatus.Waiting);

        Assert.Null(await _scenario.DetailAsync(flowId, otherForm));
        Assert.Null(await _scenario.DetailAsync(flowId, otherType));
        Assert.Null(await _scenario.DetailAsync(flowId, noProperty));
        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Enrolled >= 1, "the stats count the sentinel");
        Assert.Equal(1, stats.Enrolled);
    }

    [Fact]
    public async Task DraftFlowIsNotTriggered()
    {
        var flowId = _scenario.EndAfterTest(await _scenario.DraftAsync(await DemoFormFlowJsonAsync()));
        var early = await _scenario.ContactAsync();
        var sentinel = await _scenario.ContactAsync();

        await _scenario.IngestAsync(DemoForm(early));
        Assert.Equal(FlowCommandError.None, (await _scenario.Flow(flowId).StartAsync()).Error);
        await _scenario.IngestAsync(DemoForm(sentinel));

        await _scenario.StatusAsync(flowId, sentinel, ParticipantStatus.Waiting);
        Assert.Null(await _scenario.DetailAsync(flowId, early));
    }

    [Fact]
    public async Task PausedFlowIsNotTriggered()
    {
        var flowId = await _scenario.TriggeredAsync(await DemoFormFlowJsonAsync());
        var duringPause = await _scenario.ContactAsync();
        var sentinel = await _scenario.ContactAsync();
        Assert.Equal(FlowCommandError.None, (await _scenario.Flow(flowId).PauseAsync()).Error);

        await _scenario.IngestAsync(DemoForm(duringPause));
        Assert.Equal(FlowCommandError.None, (await _scenario.Flow(flowId).StartAsync()).Error);
        await _scenario.IngestAsync(DemoForm(sentinel));

        await _scenario.StatusAsync(flowId, sentinel, ParticipantStatus.Waiting);
        Assert.Null(await _scenario.DetailAsync(flowId, duringPause));
    }

    [Fact]
    public async Task EventOfAnUnknownContactEnrollsNobody()
    {
        var flowId = await _scenario.TriggeredAsync(await DemoFormFlowJsonAsync());
        var unknown = TestIds.New("contact");
        var known = await _scenario.ContactAsync();

        var result = await _scenario.IngestAsync(DemoForm(unknown), DemoForm(known));

        Assert.Equal(2, result.Accepted + result.Duplicates);
        await _scenario.StatusAsync(flowId, known, ParticipantStatus.Waiting);
        Assert.Null(await _scenario.DetailAsync(flowId, unknown));
        Assert.Null(await _scenario.Contact(unknown).GetAsync());
    }

    [Fact]
    public async Task ContactCreatedTriggersAFlowForAContactCreatedAfterItStarted()
    {
        var email = await _scenario.EmailAsync();
        var flowId = await _scenario.TriggeredAsync($$"""
            {
              "name": "Welcome every new contact",
              "trigger": {"type": "event", "event": "contact.created"},
              "startStepId": "welcome",
              "steps": [
                {"id": "welcome", "type": "sendEmail", "contentId": "{{email}}", "next": "pause"},
                {"id": "pause", "type": "wait", "duration": "P1D", "next": "done"},
                {"id": "done", "type": "end"}
              ]
            }
            """);

        var contactId = await _scenario.ContactAsync();

        var enrolled = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Waiting);
        Assert.Equal(email, enrolled.Summary.LastSending?.ContentId);
    }

    [Fact]
    public async Task ContactUpdatedTriggersOnTheSecondUpsert()
    {
        var flowId = await _scenario.TriggeredAsync($$"""
            {
              "name": "Follow changes",
              "trigger": {"type": "event", "event": "contact.updated"},
              "startStepId": "welcome",
              "steps": [
                {"id": "welcome", "type": "sendEmail", "contentId": "{{await _scenario.EmailAsync()}}", "next": "pause"},
                {"id": "pause", "type": "wait", "duration": "P1D", "next": "done"},
                {"id": "done", "type": "end"}
              ]
            }
            """);
        var contactId = await _scenario.ContactAsync();
        var first = await _scenario.Contact(contactId).GetAsync();

        var second = await _scenario.Contact(contactId).UpsertAsync(new ContactChange { Company = "Globex" });

        Assert.Equal(UpsertOutcome.Updated, second.Outcome);
        var enrolled = await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Waiting);
        // Enrolled by the update, not by the creation (that would have enrolled it before the update).
        Assert.True(enrolled.Summary.EnrolledAt >= second.Contact.UpdatedAt,
            $"enrolled at {enrolled.Summary.EnrolledAt:O}, before the update at {second.Contact.UpdatedAt:O} (created {first!.CreatedAt:O})");
        Assert.Single(enrolled.History, h => h.Type == "enrolled");
    }

    [Fact]
    public async Task FlowStartedWhileOtherEventsArriveTriggersAtOnce()
    {
        var eventType = TestIds.New("custom");
        var flowId = _scenario.EndAfterTest(await _scenario.DraftAsync($$"""
            {
              "name": "Started under load",
              "trigger": {"type": "event", "event": "{{eventType}}"},
              "startStepId": "welcome",
              "steps": [
                {"id": "welcome", "type": "sendEmail", "contentId": "{{await _scenario.EmailAsync()}}", "next": "pause"},
                {"id": "pause", "type": "wait", "duration": "P1D", "next": "done"},
                {"id": "done", "type": "end"}
              ]
            }
            """));
        var busy = new string[20];
        for (var i = 0; i < busy.Length; i++) busy[i] = await _scenario.ContactAsync();
        var sentinels = new string[10];
        for (var i = 0; i < sentinels.Length; i++) sentinels[i] = await _scenario.ContactAsync();

        // Other events keep the contacts of both silos reading the trigger index while the flow starts.
        using var stop = new CancellationTokenSource();
        var traffic = Task.WhenAll(Enumerable.Range(0, 16).Select(lane => Task.Run(async () =>
        {
            for (var i = lane; !stop.IsCancellationRequested; i++)
                await _scenario.PostEventAsync(busy[i % busy.Length], "page.viewed");
        })));
        await Task.Delay(200);
        Assert.Equal(FlowCommandError.None, (await _scenario.Flow(flowId).StartAsync()).Error);
        await stop.CancelAsync();
        await traffic;

        foreach (var contactId in sentinels) await _scenario.PostEventAsync(contactId, eventType);

        foreach (var contactId in sentinels) await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Waiting);
    }
}
