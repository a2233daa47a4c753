using Orleans.Flows.Content;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

public class EnrollTests
{
    /// <summary>welcome email, then a two-day wait, then an SMS reminder and the end.</summary>
    internal static FlowDefinition WelcomeFlow(string extra = "") => Flow("welcome", """
        {"id": "welcome", "type": "sendEmail", "contentId": "welcome-email", "next": "pause"},
        {"id": "pause", "type": "wait", "duration": "P2D", "next": "reminder"},
        {"id": "reminder", "type": "sendSms", "contentId": "nudge-sms", "next": "done"},
        {"id": "done", "type": "end"}
        """, extra);

    [Fact]
    public void EnrollStartsTheFirstJourneyWithTheContextVersion()
    {
        var result = Enroll(Context(WelcomeFlow(), version: 7), Contact(), Now);

        Assert.Equal(1, result.State.Journey);
        Assert.Equal(7, result.State.Version);
        Assert.Equal(Now, result.State.EnrolledAt);
        Assert.Equal(FlowId, result.State.FlowId);
        Assert.Equal(ContactId, result.State.ContactId);
        Assert.False(result.State.Succeeded);
    }

    [Fact]
    public void EnrollSendsTheFirstMessageWithADeterministicId()
    {
        var result = Enroll(WelcomeFlow(), Contact());

        var expectedId = MessageIds.For(FlowId, ContactId, 1, "welcome", 1);
        var send = Assert.IsType<SendMessage>(Assert.Single(result.Actions));
        Assert.Equal(new SendMessage(expectedId, "welcome", Channel.Email, "welcome-email", "ada@example.com"), send);
    }

    [Fact]
    public void EnrollingTwiceWithTheSameInputsGivesTheSameMessageId()
    {
        var first = Enroll(WelcomeFlow(), Contact());
        var second = Enroll(WelcomeFlow(), Contact());

        Assert.Equal(first.Actions.ToArray(), second.Actions.ToArray());
    }

    [Fact]
    public void MessageIdsDifferByFlowContactJourneyStepAndVisit()
    {
        var ids = new[]
        {
            MessageIds.For("f", "c", 1, "s", 1),
            MessageIds.For("g", "c", 1, "s", 1),
            MessageIds.For("f", "d", 1, "s", 1),
            MessageIds.For("f", "c", 2, "s", 1),
            MessageIds.For("f", "c", 1, "t", 1),
            MessageIds.For("f", "c", 1, "s", 2),
        };

        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.Equal(MessageIds.For("f", "c", 1, "s", 1), ids[0]);
    }

    [Fact]
    public void EnrollRecordsEnrolledSentAndWaitingHistory()
    {
        var result = Enroll(WelcomeFlow(), Contact());

        var history = result.State.History;
        Assert.Equal(3, history.Length);
        Assert.Equal("enrolled", history[0].Outcome);
        Assert.Equal("welcome", history[0].Next);

        Assert.Equal("welcome", history[1].StepId);
        Assert.Equal("sendEmail", history[1].Type);
        Assert.Equal("sent", history[1].Outcome);
        Assert.Equal(Now, history[1].ScheduledAt);
        Assert.Equal(Now, history[1].At);
        Assert.Equal(MessageIds.For(FlowId, ContactId, 1, "welcome", 1), history[1].MessageId);
        Assert.Equal("pause", history[1].Next);

        Assert.Equal("pause", history[2].StepId);
        Assert.Equal("wait", history[2].Type);
        Assert.Equal("waiting", history[2].Outcome);
        Assert.Equal(Now, history[2].ScheduledAt);
        Assert.Equal(Now, history[2].At);
        Assert.Equal(Now.AddDays(2), history[2].Until);
    }

    [Fact]
    public void WaitStepSchedulesWakeUpAtDueTime()
    {
        var result = Enroll(WelcomeFlow(), Contact());

        Assert.Equal(ParticipantStatus.Waiting, result.State.Status);
        Assert.Equal(Now.AddDays(2), result.State.WakeAt);
        Assert.Equal(WaitKind.Delay, result.State.WaitKind);
        Assert.Equal("pause", result.State.CurrentStepId);
    }

    [Fact]
    public void SendRecordsTheLastSendingAsQueued()
    {
        var result = Enroll(WelcomeFlow(), Contact());

        var last = Assert.IsType<LastSending>(result.State.LastSending);
        Assert.Equal("welcome-email", last.ContentId);
        Assert.Equal(Channel.Email, last.Channel);
        Assert.Equal("queued", last.Status);
        Assert.Equal(MessageIds.For(FlowId, ContactId, 1, "welcome", 1), last.MessageId);
    }

    [Fact]
    public void EnrollRunsConsecutiveSendsUntilTheWait()
    {
        var flow = Flow("a", """
            {"id": "a", "type": "sendEmail", "contentId": "welcome-email", "next": "b"},
            {"id": "b", "type": "sendSms", "contentId": "nudge-sms", "next": "c"},
            {"id": "c", "type": "sendPush", "contentId": "promo-push", "next": "w"},
            {"id": "w", "type": "wait", "duration": "PT1H", "next": "d"},
            {"id": "d", "type": "sendEmail", "contentId": "welcome-email"}
            """);

        var result = Enroll(flow, Contact());

        var sends = result.Actions.Cast<SendMessage>().ToList();
        Assert.Equal(["a", "b", "c"], sends.Select(s => s.StepId));
        Assert.Equal(["ada@example.com", "+4791234567", "push-token-1"], sends.Select(s => s.To));
        Assert.Equal([Channel.Email, Channel.Sms, Channel.Push], sends.Select(s => s.Channel));
        Assert.Equal(Now.AddHours(1), result.State.WakeAt);
    }

    [Fact]
    public void StateRecordsTheContactEmailAndCompany()
    {
        var result = Enroll(WelcomeFlow(), Contact());

        Assert.Equal("ada@example.com", result.State.Email);
        Assert.Equal("Acme AS", result.State.Company);
    }
}
