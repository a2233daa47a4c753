using Orleans.Flows.Flows;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class FlowDeleteTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    private static string OneEmailJson(string emailId) => $$"""
        {
          "name": "Once",
          "reentry": "never",
          "startStepId": "welcome",
          "steps": [
            {"id": "welcome", "type": "sendEmail", "contentId": "{{emailId}}", "next": "done"},
            {"id": "done", "type": "end"}
          ]
        }
        """;

    [Fact]
    public async Task IdOfAFlowDeletedAfterItRanIsNotGivenToANewFlow()
    {
        var email = await _scenario.EmailAsync();
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(OneEmailJson(email));
        await _scenario.EnrollAllAsync(flowId, contactId);
        await _scenario.StatsUntilAsync(flowId, s => s.Completed == 1, "the flow counts the completed journey");
        await _scenario.Flow(flowId).EndAsync();
        Assert.Equal(FlowCommandError.None, (await _scenario.Flow(flowId).DeleteAsync()).Error);

        var again = await _scenario.Flow(flowId).CreateAsync(FlowScenario.Definition(OneEmailJson(email)));

        // Its participants, statistics and list outlive it; a new flow under that id would inherit them.
        Assert.Equal(FlowCommandError.Conflict, again.Error);
        Assert.Null(await _scenario.Flow(flowId).GetAsync());
    }

    [Fact]
    public async Task IdOfADraftDeletedBeforeItRanCanBeUsedAgain()
    {
        var email = await _scenario.EmailAsync();
        var flowId = TestIds.New("flow");
        Assert.Equal(FlowCommandError.None, (await _scenario.Flow(flowId).CreateAsync(FlowScenario.Definition(OneEmailJson(email)))).Error);
        Assert.Equal(FlowCommandError.None, (await _scenario.Flow(flowId).DeleteAsync()).Error);

        var again = await _scenario.Flow(flowId).CreateAsync(FlowScenario.Definition(OneEmailJson(email)));

        Assert.Equal(FlowCommandError.None, again.Error);
        Assert.Equal(1, again.Flow?.Version);
    }
}
