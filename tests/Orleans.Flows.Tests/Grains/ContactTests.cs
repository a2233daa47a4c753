using Orleans.Flows.Contacts;
using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;
using Orleans.Flows.Values;

namespace Orleans.Flows.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class ContactTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    private Task<string> ScoringFlowAsync() => _scenario.RunningAsync("""
        {
          "name": "Score",
          "startStepId": "score",
          "steps": [
            {"id": "score", "type": "updateContact", "incrementAttributes": {"score": 5}, "addTags": ["engaged"], "next": "done"},
            {"id": "done", "type": "end"}
          ]
        }
        """);

    [Fact]
    public async Task UpdateContactStepIncrementsAttributesAndAddsTags()
    {
        var contactId = await _scenario.ContactAsync();
        var flowId = await ScoringFlowAsync();

        await _scenario.EnrollAllAsync(flowId, contactId);
        await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Completed);

        var contact = await _scenario.Contact(contactId).GetAsync();
        Assert.NotNull(contact);
        Assert.Equal(FieldValue.Of(5), contact.Attributes["score"]);
        Assert.Contains("engaged", contact.Tags);
    }

    [Fact]
    public async Task UpdateContactStepAddsToAnExistingNumber()
    {
        var contactId = await _scenario.ContactAsync(new Dictionary<string, FieldValue> { ["score"] = FieldValue.Of(10) });
        var flowId = await ScoringFlowAsync();

        await _scenario.EnrollAllAsync(flowId, contactId);
        await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Completed);

        Assert.Equal(FieldValue.Of(15), (await _scenario.Contact(contactId).GetAsync())!.Attributes["score"]);
    }

    [Fact]
    public async Task ContactListsTheFlowsItIsInWithTheirStatus()
    {
        var contactId = await _scenario.ContactAsync();
        var scoring = await ScoringFlowAsync();
        var waiting = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(await _scenario.EmailAsync(), await _scenario.SmsAsync(), "PT1H"));
        await _scenario.EnrollAllAsync(scoring, contactId);
        await _scenario.EnrollAllAsync(waiting, contactId);

        var flows = await _scenario.Contact(contactId).GetFlowsAsync();

        Assert.Equal(2, flows.Length);
        Assert.Contains(new ContactFlow(scoring, "completed", "done"), flows);
        Assert.Contains(new ContactFlow(waiting, "waiting", "pause"), flows);
    }

    [Fact]
    public async Task ErasedContactIsGone()
    {
        var contactId = await _scenario.ContactAsync();

        Assert.True(await _scenario.Contact(contactId).EraseAsync());

        Assert.Null(await _scenario.Contact(contactId).GetAsync());
        Assert.Empty(await _scenario.Contact(contactId).GetFlowsAsync());
        Assert.False(await _scenario.Contact(contactId).EraseAsync());
    }

    [Fact]
    public async Task ErasingAContactErasesItsParticipants()
    {
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(await _scenario.EmailAsync(), await _scenario.SmsAsync(), "PT1H"));
        await _scenario.EnrollAllAsync(flowId, contactId);

        await _scenario.Contact(contactId).EraseAsync();

        await Eventually.Matches(() => _scenario.DetailAsync(flowId, contactId), d => d is null, FlowScenario.Timeout, "the participant is erased");
    }

    [Fact]
    public async Task ErasingAContactTakesItsRowOutOfTheParticipantList()
    {
        var contactId = await _scenario.ContactAsync();
        var other = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(await _scenario.EmailAsync(), await _scenario.SmsAsync(), "PT1H"));
        await _scenario.EnrollAllAsync(flowId, contactId, other);
        await _scenario.ListUntilAsync(flowId, new ParticipantQuery(), p => p.Items.Length == 2, "the list has both participants");

        await _scenario.Contact(contactId).EraseAsync();

        var page = await _scenario.ListUntilAsync(flowId, new ParticipantQuery(), p => p.Items.All(r => r.ContactId != contactId),
            "the erased contact's row leaves the list");
        Assert.Equal([other], page.Items.Select(r => r.ContactId));
    }

    [Fact]
    public async Task ErasingAContactTakesItOutOfTheStats()
    {
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(await _scenario.EmailAsync(), await _scenario.SmsAsync(), "PT1H"));
        await _scenario.EnrollAllAsync(flowId, contactId);
        await _scenario.StatsUntilAsync(flowId, s => s.Waiting == 1, "the stats show the waiting participant");

        await _scenario.Contact(contactId).EraseAsync();

        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Waiting == 0, "the erased participant stops counting as waiting");
        Assert.Equal(0, stats.Steps["pause"].Waiting);
    }
}
