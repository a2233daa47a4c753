using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

public class StepActionTests
{
    [Fact]
    public void CreateActivityStepProducesACreateActivityAction()
    {
        var flow = Flow("call", """
            {"id": "call", "type": "createActivity", "kind": "followUp", "title": "Call {{ contact.firstName }}", "next": "done"},
            {"id": "done", "type": "end"}
            """);

        var result = Enroll(flow, Contact());

        var activity = Assert.IsType<CreateActivity>(Assert.Single(result.Actions));
        Assert.Equal(new CreateActivity(MessageIds.For(FlowId, ContactId, 1, "call", 1), "call", ActivityKind.FollowUp, "Call {{ contact.firstName }}"), activity);
        Assert.Contains(result.State.History, h => h.StepId == "call" && h.Outcome == "created" && h.MessageId == activity.MessageId);
    }

    [Fact]
    public void WebhookStepProducesACallWebhookAction()
    {
        var flow = Flow("hook", """
            {"id": "hook", "type": "webhook", "url": "https://hooks.example.com/lead", "method": "PUT", "body": "{\"id\": \"{{ contact.id }}\"}", "next": "done"},
            {"id": "done", "type": "end"}
            """);

        var result = Enroll(flow, Contact());

        var call = Assert.IsType<CallWebhook>(Assert.Single(result.Actions));
        Assert.Equal(MessageIds.For(FlowId, ContactId, 1, "hook", 1), call.MessageId);
        Assert.Equal("hook", call.StepId);
        Assert.Equal("https://hooks.example.com/lead", call.Url);
        Assert.Equal("PUT", call.Method);
        Assert.Equal("{\"id\": \"{{ contact.id }}\"}", call.Body);
    }

    [Fact]
    public void WebhookMethodDefaultsToPost()
    {
        var flow = Flow("hook", """{"id": "hook", "type": "webhook", "url": "https://hooks.example.com/lead"}""");

        var call = Assert.IsType<CallWebhook>(Assert.Single(Enroll(flow, Contact()).Actions));

        Assert.Equal("POST", call.Method);
    }

    [Fact]
    public void MoveToFlowEnrollsInTheOtherFlowAndCompletes()
    {
        var flow = Flow("move", """{"id": "move", "type": "moveToFlow", "flowId": "vip-flow"}""");

        var result = Enroll(flow, Contact());

        Assert.Equal(new EnrollInFlow("vip-flow"), Assert.Single(result.Actions));
        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
        Assert.Contains(result.State.History, h => h.StepId == "move" && h.Outcome == "moved");
    }

    [Fact]
    public void EndStepCompletesTheJourney()
    {
        var flow = Flow("done", """{"id": "done", "type": "end"}""");

        var result = Enroll(flow, Contact());

        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
        Assert.Empty(result.Actions);
        Assert.Equal(Now, result.State.LeftAt);
        Assert.Null(result.State.WakeAt);
        Assert.Equal("ended", result.State.History[^1].Outcome);
    }

    [Fact]
    public void StepWithoutNextCompletesTheJourney()
    {
        var flow = Flow("welcome", """{"id": "welcome", "type": "sendEmail", "contentId": "welcome-email"}""");

        var result = Enroll(flow, Contact());

        Assert.IsType<SendMessage>(Assert.Single(result.Actions));
        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
        Assert.Null(result.State.ExitReason);
    }

    [Fact]
    public void ConditionWithoutElseCompletesWhenFalse()
    {
        var flow = Flow("check", """
            {"id": "check", "type": "condition", "if": {"attribute": "company", "op": "eq", "value": "Other"}, "then": "done"},
            {"id": "done", "type": "end"}
            """);

        var result = Enroll(flow, Contact());

        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
        Assert.Equal("else", result.State.History[^1].Outcome);
    }

    [Fact]
    public void WaitWithoutNextCompletesAfterTheWait()
    {
        var flow = Flow("pause", """{"id": "pause", "type": "wait", "duration": "PT1H"}""");
        var waiting = Enroll(flow, Contact());

        var result = Wake(Context(flow), waiting.State, Contact(), Now.AddHours(1));

        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
    }
}
