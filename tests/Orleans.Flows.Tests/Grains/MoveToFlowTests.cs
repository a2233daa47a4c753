using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class MoveToFlowTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    private async Task<(string From, string To)> FlowsAsync()
    {
        var email = await _scenario.EmailAsync();
        var to = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(await _scenario.EmailAsync(), await _scenario.SmsAsync(), "PT1H"));
        var from = await _scenario.RunningAsync($$"""
            {
              "name": "Hand over",
              "startStepId": "welcome",
              "steps": [
                {"id": "welcome", "type": "sendEmail", "contentId": "{{email}}", "next": "move"},
                {"id": "move", "type": "moveToFlow", "flowId": "{{to}}"}
              ]
            }
            """);
        return (from, to);
    }

    [Fact]
    public async Task MoveToFlowStepCompletesTheJourneyInTheFirstFlow()
    {
        var (from, to) = await FlowsAsync();
        var contactId = await _scenario.ContactAsync();

        await _scenario.EnrollAllAsync(from, contactId);

        var done = await _scenario.StatusAsync(from, contactId, ParticipantStatus.Completed);
        var last = done.History[^1];
        Assert.Equal(("move", "moved", "moved_to:" + to), (last.StepId, last.Outcome, last.Reason));
    }

    [Fact]
    public async Task MoveToFlowStepEnrollsTheContactInTheSecondFlow()
    {
        var (from, to) = await FlowsAsync();
        var contactId = await _scenario.ContactAsync();

        await _scenario.EnrollAllAsync(from, contactId);

        var moved = await _scenario.StatusAsync(to, contactId, ParticipantStatus.Waiting);
        Assert.Equal("pause", moved.Summary.CurrentStepId);
        Assert.Equal(1, moved.Version);
        var flows = await _scenario.Contact(contactId).GetFlowsAsync();
        Assert.Equal(new[] { from, to }.Order(StringComparer.Ordinal), flows.Select(f => f.FlowId).Order(StringComparer.Ordinal));
    }
}
