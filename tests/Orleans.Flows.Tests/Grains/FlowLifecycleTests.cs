using Orleans.Flows.Flows;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class FlowLifecycleTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    private static string OneEmailJson(string emailId, string name = "One email") => $$"""
        {
          "name": "{{name}}",
          "startStepId": "welcome",
          "steps": [
            {"id": "welcome", "type": "sendEmail", "contentId": "{{emailId}}", "next": "done"},
            {"id": "done", "type": "end"}
          ]
        }
        """;

    private async Task<(string FlowId, string EmailId)> DraftAsync()
    {
        var email = await _scenario.EmailAsync();
        return (await _scenario.DraftAsync(OneEmailJson(email)), email);
    }

    private static void AssertStatus(FlowStatus expected, FlowCommandResult result)
    {
        Assert.Equal(FlowCommandError.None, result.Error);
        Assert.Equal(expected, result.Flow?.Status);
    }

    private static void AssertConflict(FlowCommandResult result)
    {
        Assert.Equal(FlowCommandError.Conflict, result.Error);
        Assert.Null(result.Flow);
        Assert.False(string.IsNullOrEmpty(result.Detail));
    }

    [Fact]
    public async Task CreatedFlowIsADraftAtVersionOne()
    {
        var (flowId, _) = await DraftAsync();

        var flow = await _scenario.Flow(flowId).GetAsync();

        Assert.NotNull(flow);
        Assert.Equal(FlowStatus.Draft, flow.Status);
        Assert.Equal(1, flow.Version);
        Assert.Equal("One email", flow.Definition.Name);
    }

    [Fact]
    public async Task LifecycleGoesFromDraftThroughRunningAndPausedToEnded()
    {
        var (flowId, _) = await DraftAsync();
        var flow = _scenario.Flow(flowId);

        AssertStatus(FlowStatus.Running, await flow.StartAsync());
        AssertStatus(FlowStatus.Paused, await flow.PauseAsync());
        AssertStatus(FlowStatus.Running, await flow.StartAsync());
        AssertStatus(FlowStatus.Ended, await flow.EndAsync());

        var ended = await flow.GetAsync();
        Assert.Equal(FlowStatus.Ended, ended!.Status);
        Assert.NotNull(ended.StartedAt);
        Assert.NotNull(ended.EndedAt);
    }

    [Fact]
    public async Task PausedFlowCanBeEnded()
    {
        var (flowId, _) = await DraftAsync();
        var flow = _scenario.Flow(flowId);
        await flow.StartAsync();
        await flow.PauseAsync();

        AssertStatus(FlowStatus.Ended, await flow.EndAsync());
    }

    [Fact]
    public async Task StartingARunningFlowIsAConflict()
    {
        var (flowId, _) = await DraftAsync();
        var flow = _scenario.Flow(flowId);
        await flow.StartAsync();

        AssertConflict(await flow.StartAsync());
        Assert.Equal(FlowStatus.Running, (await flow.GetAsync())!.Status);
    }

    [Fact]
    public async Task PausingADraftIsAConflict()
    {
        var (flowId, _) = await DraftAsync();

        AssertConflict(await _scenario.Flow(flowId).PauseAsync());
        Assert.Equal(FlowStatus.Draft, (await _scenario.Flow(flowId).GetAsync())!.Status);
    }

    [Fact]
    public async Task PausingAPausedFlowIsAConflict()
    {
        var (flowId, _) = await DraftAsync();
        var flow = _scenario.Flow(flowId);
        await flow.StartAsync();
        await flow.PauseAsync();

        AssertConflict(await flow.PauseAsync());
        Assert.Equal(FlowStatus.Paused, (await flow.GetAsync())!.Status);
    }

    [Fact]
    public async Task EndingADraftIsAConflict()
    {
        var (flowId, _) = await DraftAsync();

        AssertConflict(await _scenario.Flow(flowId).EndAsync());
        Assert.Equal(FlowStatus.Draft, (await _scenario.Flow(flowId).GetAsync())!.Status);
    }

    [Fact]
    public async Task EndingAnEndedFlowIsAConflict()
    {
        var (flowId, _) = await DraftAsync();
        var flow = _scenario.Flow(flowId);
        await flow.StartAsync();
        await flow.EndAsync();

        AssertConflict(await flow.EndAsync());
    }

    [Fact]
    public async Task StartingAnEndedFlowIsAConflict()
    {
        var (flowId, _) = await DraftAsync();
        var flow = _scenario.Flow(flowId);
        await flow.StartAsync();
        await flow.EndAsync();

        AssertConflict(await flow.StartAsync());
        Assert.Equal(FlowStatus.Ended, (await flow.GetAsync())!.Status);
    }

    [Fact]
    public async Task CommandsOnAnUnknownFlowAnswerNotFound()
    {
        var flow = _scenario.Flow(TestIds.New("flow"));

        Assert.Equal(FlowCommandError.NotFound, (await flow.StartAsync()).Error);
        Assert.Equal(FlowCommandError.NotFound, (await flow.PauseAsync()).Error);
        Assert.Equal(FlowCommandError.NotFound, (await flow.EndAsync()).Error);
        Assert.Equal(FlowCommandError.NotFound, (await flow.DeleteAsync()).Error);
    }

    [Fact]
    public async Task UpdatingADraftSavesANewVersion()
    {
        var (flowId, email) = await DraftAsync();

        var updated = await _scenario.Flow(flowId).UpdateAsync(FlowScenario.Definition(OneEmailJson(email, "Renamed")));

        Assert.Equal(FlowCommandError.None, updated.Error);
        Assert.Equal(2, updated.Flow?.Version);
        Assert.Equal("Renamed", updated.Flow?.Definition.Name);
        Assert.Equal(FlowStatus.Draft, updated.Flow?.Status);
        Assert.Equal("One email", (await _scenario.Flow(flowId).GetVersionAsync(1))?.Name);
        Assert.Equal("Renamed", (await _scenario.Flow(flowId).GetVersionAsync(2))?.Name);
    }

    [Fact]
    public async Task UpdatingAPausedFlowSavesANewVersionAndKeepsItPaused()
    {
        var (flowId, email) = await DraftAsync();
        var flow = _scenario.Flow(flowId);
        await flow.UpdateAsync(FlowScenario.Definition(OneEmailJson(email, "Second")));
        await flow.StartAsync();
        await flow.PauseAsync();

        var updated = await flow.UpdateAsync(FlowScenario.Definition(OneEmailJson(email, "Third")));

        Assert.Equal(FlowCommandError.None, updated.Error);
        Assert.Equal(3, updated.Flow?.Version);
        Assert.Equal(FlowStatus.Paused, updated.Flow?.Status);
    }

    [Fact]
    public async Task UpdatingARunningFlowIsAConflictAndKeepsTheVersion()
    {
        var (flowId, email) = await DraftAsync();
        var flow = _scenario.Flow(flowId);
        await flow.StartAsync();

        AssertConflict(await flow.UpdateAsync(FlowScenario.Definition(OneEmailJson(email, "Edited while running"))));

        var current = await flow.GetAsync();
        Assert.Equal(1, current!.Version);
        Assert.Equal("One email", current.Definition.Name);
    }

    [Fact]
    public async Task UpdatingAnEndedFlowIsAConflict()
    {
        var (flowId, email) = await DraftAsync();
        var flow = _scenario.Flow(flowId);
        await flow.StartAsync();
        await flow.EndAsync();

        AssertConflict(await flow.UpdateAsync(FlowScenario.Definition(OneEmailJson(email, "Edited after the end"))));
    }

    [Fact]
    public async Task DeletingADraftRemovesTheFlow()
    {
        var (flowId, _) = await DraftAsync();

        var deleted = await _scenario.Flow(flowId).DeleteAsync();

        Assert.Equal(FlowCommandError.None, deleted.Error);
        Assert.Null(await _scenario.Flow(flowId).GetAsync());
    }

    [Fact]
    public async Task DeletingAnEndedFlowRemovesTheFlow()
    {
        var (flowId, _) = await DraftAsync();
        var flow = _scenario.Flow(flowId);
        await flow.StartAsync();
        await flow.EndAsync();

        Assert.Equal(FlowCommandError.None, (await flow.DeleteAsync()).Error);
        Assert.Null(await flow.GetAsync());
    }

    [Fact]
    public async Task DeletingARunningFlowIsAConflict()
    {
        var (flowId, _) = await DraftAsync();
        var flow = _scenario.Flow(flowId);
        await flow.StartAsync();

        AssertConflict(await flow.DeleteAsync());
        Assert.NotNull(await flow.GetAsync());
    }

    [Fact]
    public async Task DeletingAPausedFlowIsAConflict()
    {
        var (flowId, _) = await DraftAsync();
        var flow = _scenario.Flow(flowId);
        await flow.StartAsync();
        await flow.PauseAsync();

        AssertConflict(await flow.DeleteAsync());
        Assert.NotNull(await flow.GetAsync());
    }

    [Fact]
    public async Task CreatingAFlowTwiceIsAConflict()
    {
        var (flowId, email) = await DraftAsync();

        var again = await _scenario.Flow(flowId).CreateAsync(FlowScenario.Definition(OneEmailJson(email, "Again")));

        AssertConflict(again);
        Assert.Equal("One email", (await _scenario.Flow(flowId).GetAsync())!.Definition.Name);
    }

    [Fact]
    public async Task InvalidDefinitionIsRefusedWithErrorsByJsonPath()
    {
        var flowId = TestIds.New("flow");
        var missingContent = TestIds.New("email");

        var result = await _scenario.Flow(flowId).CreateAsync(FlowScenario.Definition($$"""
            {
              "name": "Broken",
              "startStepId": "welcome",
              "steps": [
                {"id": "welcome", "type": "sendEmail", "contentId": "{{missingContent}}", "next": "nowhere"},
                {"id": "pause", "type": "wait", "duration": "PT1M"}
              ]
            }
            """));

        Assert.Equal(FlowCommandError.Invalid, result.Error);
        Assert.Null(result.Flow);
        Assert.Contains("$.steps[0].next", result.Errors.Keys);
        Assert.Contains("$.steps[0].contentId", result.Errors.Keys);
        Assert.Contains(result.Errors["$.steps[0].next"], m => m.Contains("nowhere", StringComparison.Ordinal));
        Assert.Null(await _scenario.Flow(flowId).GetAsync());
    }

    [Fact]
    public async Task UnreachableStepIsRefusedWithItsPath()
    {
        var email = await _scenario.EmailAsync();

        var result = await _scenario.Flow(TestIds.New("flow")).CreateAsync(FlowScenario.Definition($$"""
            {
              "name": "Island",
              "startStepId": "welcome",
              "steps": [
                {"id": "welcome", "type": "sendEmail", "contentId": "{{email}}"},
                {"id": "island", "type": "end"}
              ]
            }
            """));

        Assert.Equal(FlowCommandError.Invalid, result.Error);
        Assert.Equal(["$.steps[1]"], result.Errors.Keys);
    }

    [Fact]
    public async Task InvalidUpdateKeepsTheVersion()
    {
        var (flowId, _) = await DraftAsync();

        var result = await _scenario.Flow(flowId).UpdateAsync(FlowScenario.Definition("""
            {"name": "", "startStepId": "done", "steps": [{"id": "done", "type": "end"}]}
            """));

        Assert.Equal(FlowCommandError.Invalid, result.Error);
        Assert.Contains("$.name", result.Errors.Keys);
        Assert.Equal(1, (await _scenario.Flow(flowId).GetAsync())!.Version);
    }
}
