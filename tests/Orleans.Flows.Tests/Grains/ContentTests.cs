using Orleans.Flows.Content;
using Orleans.Flows.Flows;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class ContentTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    private IContentGrain Content(string id) => _scenario.Grains.GetGrain<IContentGrain>(id);

    private static string OneEmailJson(string emailId) => $$"""
        {
          "name": "Uses content",
          "startStepId": "welcome",
          "steps": [
            {"id": "welcome", "type": "sendEmail", "contentId": "{{emailId}}", "next": "done"},
            {"id": "done", "type": "end"}
          ]
        }
        """;

    [Fact]
    public async Task ContentUsedByARunningFlowCannotBeDeleted()
    {
        var email = await _scenario.EmailAsync();
        var flowId = await _scenario.RunningAsync(OneEmailJson(email));

        var result = await Content(email).DeleteAsync();

        Assert.Equal(new ContentDeleteResult(ContentDeleteOutcome.InUse, flowId), result);
        Assert.NotNull(await Content(email).GetAsync());
    }

    [Fact]
    public async Task ContentUsedByAPausedFlowCannotBeDeleted()
    {
        var email = await _scenario.EmailAsync();
        var flowId = await _scenario.RunningAsync(OneEmailJson(email));
        await _scenario.Flow(flowId).PauseAsync();

        Assert.Equal(new ContentDeleteResult(ContentDeleteOutcome.InUse, flowId), await Content(email).DeleteAsync());
    }

    [Fact]
    public async Task ContentOfAnEndedFlowCanBeDeleted()
    {
        var email = await _scenario.EmailAsync();
        var flowId = await _scenario.RunningAsync(OneEmailJson(email));
        await _scenario.Flow(flowId).EndAsync();

        var result = await Content(email).DeleteAsync();

        Assert.Equal(ContentDeleteOutcome.Deleted, result.Outcome);
        Assert.Null(await Content(email).GetAsync());
    }

    [Fact]
    public async Task DeletingUnknownContentAnswersNotFound()
    {
        Assert.Equal(ContentDeleteOutcome.NotFound, (await Content(TestIds.New("email")).DeleteAsync()).Outcome);
    }

    [Fact]
    public async Task FlowCannotStartOnceItsContentIsDeleted()
    {
        var email = await _scenario.EmailAsync();
        var flowId = await _scenario.DraftAsync(OneEmailJson(email));
        Assert.Equal(ContentDeleteOutcome.Deleted, (await Content(email).DeleteAsync()).Outcome);

        var started = await _scenario.Flow(flowId).StartAsync();

        Assert.Equal(FlowCommandError.Conflict, started.Error);
        Assert.Equal(FlowStatus.Draft, (await _scenario.Flow(flowId).GetAsync())!.Status);
    }

    [Fact]
    public async Task InvalidContentIsRefusedWithErrorsByJsonPath()
    {
        var id = TestIds.New("email");

        var result = await Content(id).PutAsync(new ContentItem { Id = id, Channel = Channel.Email, Name = "No subject", Html = "<p>{{ broken </p>" });

        Assert.Null(result.Item);
        Assert.Contains("$.subject", result.Errors.Keys);
        Assert.Contains("$.html", result.Errors.Keys);
        Assert.Null(await Content(id).GetAsync());
    }

    [Fact]
    public async Task FlowNamingSmsContentInAnEmailStepIsRefused()
    {
        var sms = await _scenario.SmsAsync();

        var result = await _scenario.Flow(TestIds.New("flow")).CreateAsync(FlowScenario.Definition(OneEmailJson(sms)));

        Assert.Equal(FlowCommandError.Invalid, result.Error);
        Assert.Contains("$.steps[0].contentId", result.Errors.Keys);
    }
}
