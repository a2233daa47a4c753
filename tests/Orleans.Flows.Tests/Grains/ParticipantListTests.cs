using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;
using Orleans.Flows.Values;

namespace Orleans.Flows.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class ParticipantListTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    /// <summary>Contacts of group "a" wait at <c>hold</c>; the others complete at once at <c>done</c>.</summary>
    private async Task<(string FlowId, string[] Waiting, string[] Completed)> SplitFlowAsync(int waiting, int completed)
    {
        var email = await _scenario.EmailAsync();
        var a = await Task.WhenAll(Enumerable.Range(0, waiting).Select(_ =>
            _scenario.ContactAsync(new Dictionary<string, FieldValue> { ["group"] = FieldValue.Of("a") })));
        var b = await Task.WhenAll(Enumerable.Range(0, completed).Select(_ =>
            _scenario.ContactAsync(new Dictionary<string, FieldValue> { ["group"] = FieldValue.Of("b") })));
        var flowId = await _scenario.RunningAsync($$"""
            {
              "name": "Two groups",
              "startStepId": "welcome",
              "steps": [
                {"id": "welcome", "type": "sendEmail", "contentId": "{{email}}", "next": "which"},
                {"id": "which", "type": "condition", "if": {"attribute": "attributes.group", "op": "eq", "value": "a"}, "then": "hold", "else": "done"},
                {"id": "hold", "type": "wait", "duration": "PT1H", "next": "done"},
                {"id": "done", "type": "end"}
              ]
            }
            """);
        await _scenario.EnrollAllAsync(flowId, [.. a, .. b]);
        await _scenario.ListUntilAsync(flowId, new ParticipantQuery { Limit = 100 }, p => p.Items.Length == waiting + completed,
            $"the list has all {waiting + completed} participants");
        return (flowId, a, b);
    }

    private static IEnumerable<string> Sorted(IEnumerable<string> ids) => ids.Order(StringComparer.Ordinal);

    [Fact]
    public async Task ListShowsEachParticipantWithItsContactAndLastSending()
    {
        var email = await _scenario.EmailAsync();
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(email, await _scenario.SmsAsync(), "PT1H"));
        await _scenario.EnrollAllAsync(flowId, contactId);

        var page = await _scenario.ListUntilAsync(flowId, new ParticipantQuery(), p => p.Items.Length == 1, "the list has the participant");

        var row = Assert.Single(page.Items);
        Assert.Equal(contactId, row.ContactId);
        Assert.Equal(flowId, row.FlowId);
        Assert.Equal(contactId + "@example.com", row.Email);
        Assert.Equal("Acme", row.Company);
        Assert.Equal(ParticipantStatus.Waiting, row.Status);
        Assert.Equal("pause", row.CurrentStepId);
        Assert.Equal(email, row.LastSending?.ContentId);
        Assert.Null(page.NextAfterContactId);
    }

    [Fact]
    public async Task StatusFilterReturnsOnlyParticipantsInThatStatus()
    {
        var (flowId, waiting, completed) = await SplitFlowAsync(waiting: 2, completed: 3);

        var waitingPage = await _scenario.List(flowId).QueryAsync(new ParticipantQuery { Status = ParticipantStatus.Waiting });
        var completedPage = await _scenario.List(flowId).QueryAsync(new ParticipantQuery { Status = ParticipantStatus.Completed });
        var exitedPage = await _scenario.List(flowId).QueryAsync(new ParticipantQuery { Status = ParticipantStatus.Exited });

        Assert.Equal(Sorted(waiting), waitingPage.Items.Select(r => r.ContactId));
        Assert.All(waitingPage.Items, r => Assert.Equal(ParticipantStatus.Waiting, r.Status));
        Assert.Equal(Sorted(completed), completedPage.Items.Select(r => r.ContactId));
        Assert.All(completedPage.Items, r => Assert.Equal(ParticipantStatus.Completed, r.Status));
        Assert.Empty(exitedPage.Items);
    }

    [Fact]
    public async Task StepFilterReturnsOnlyParticipantsAtThatStep()
    {
        var (flowId, waiting, completed) = await SplitFlowAsync(waiting: 3, completed: 2);

        var atHold = await _scenario.List(flowId).QueryAsync(new ParticipantQuery { StepId = "hold" });
        var atDone = await _scenario.List(flowId).QueryAsync(new ParticipantQuery { StepId = "done" });
        var atWelcome = await _scenario.List(flowId).QueryAsync(new ParticipantQuery { StepId = "welcome" });

        Assert.Equal(Sorted(waiting), atHold.Items.Select(r => r.ContactId));
        Assert.All(atHold.Items, r => Assert.Equal("hold", r.CurrentStepId));
        Assert.Equal(Sorted(completed), atDone.Items.Select(r => r.ContactId));
        Assert.Empty(atWelcome.Items);
    }

    [Fact]
    public async Task StatusAndStepFiltersCombine()
    {
        var (flowId, _, _) = await SplitFlowAsync(waiting: 2, completed: 2);

        var page = await _scenario.List(flowId).QueryAsync(new ParticipantQuery { Status = ParticipantStatus.Waiting, StepId = "done" });

        Assert.Empty(page.Items);
    }

    [Fact]
    public async Task PagingWalksEveryParticipantExactlyOnceInContactIdOrder()
    {
        var (flowId, waiting, completed) = await SplitFlowAsync(waiting: 2, completed: 3);

        var pages = new List<ParticipantPage>();
        string? after = null;
        do
        {
            var page = await _scenario.List(flowId).QueryAsync(new ParticipantQuery { Limit = 2, AfterContactId = after });
            pages.Add(page);
            after = page.NextAfterContactId;
        }
        while (after is not null && pages.Count < 10);

        Assert.Equal([2, 2, 1], pages.Select(p => p.Items.Length));
        Assert.Equal(pages[0].Items[^1].ContactId, pages[0].NextAfterContactId);
        Assert.Equal(pages[1].Items[^1].ContactId, pages[1].NextAfterContactId);
        Assert.Null(pages[2].NextAfterContactId);
        Assert.Equal(Sorted([.. waiting, .. completed]), pages.SelectMany(p => p.Items).Select(r => r.ContactId));
    }

    [Fact]
    public async Task PagingAppliesTheFilterBeforeTheLimit()
    {
        var (flowId, waiting, _) = await SplitFlowAsync(waiting: 3, completed: 3);

        var first = await _scenario.List(flowId).QueryAsync(new ParticipantQuery { Status = ParticipantStatus.Waiting, Limit = 2 });
        var second = await _scenario.List(flowId).QueryAsync(new ParticipantQuery { Status = ParticipantStatus.Waiting, Limit = 2, AfterContactId = first.NextAfterContactId });

        Assert.Equal(2, first.Items.Length);
        Assert.NotNull(first.NextAfterContactId);
        Assert.Single(second.Items);
        Assert.Null(second.NextAfterContactId);
        Assert.Equal(Sorted(waiting), first.Items.Concat(second.Items).Select(r => r.ContactId));
    }
}
