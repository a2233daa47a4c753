using Orleans.Flows.Content;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

public class WakeTests
{
    private static readonly DateTimeOffset Due = Now.AddDays(2);

    private static InterpreterResult Waiting(FlowContext? flow = null) => Enroll(flow ?? Context(EnrollTests.WelcomeFlow()), Contact(), Now);

    [Fact]
    public void WakeBeforeDueTimeChangesNothing()
    {
        var flow = Context(EnrollTests.WelcomeFlow());
        var waiting = Waiting(flow).State;

        var result = Wake(flow, waiting, Contact(), Due.AddSeconds(-1));

        Assert.Empty(result.Actions);
        Assert.Same(waiting, result.State);
    }

    [Fact]
    public void WakeAtDueTimeContinuesAtTheWaitsNextStep()
    {
        var flow = Context(EnrollTests.WelcomeFlow());

        var result = Wake(flow, Waiting(flow).State, Contact(), Due);

        var send = Assert.IsType<SendMessage>(Assert.Single(result.Actions));
        Assert.Equal(new SendMessage(MessageIds.For(FlowId, ContactId, 1, "reminder", 1), "reminder", Channel.Sms, "nudge-sms", "+4791234567"), send);
        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
        Assert.Null(result.State.WakeAt);
        Assert.Equal(WaitKind.None, result.State.WaitKind);
    }

    [Fact]
    public void LateWakeRecordsTheDueTimeAsScheduledAtAndTheRunTimeAsAt()
    {
        var flow = Context(EnrollTests.WelcomeFlow());
        var late = Due.AddMinutes(7);

        var result = Wake(flow, Waiting(flow).State, Contact(), late);

        var reminder = Assert.Single(result.State.History, h => h.StepId == "reminder");
        Assert.Equal(Due, reminder.ScheduledAt);
        Assert.Equal(late, reminder.At);
        Assert.Equal("sent", reminder.Outcome);
    }

    [Fact]
    public void StepsAfterTheFirstInAWakeAreScheduledAtTheRunTime()
    {
        var flow = Context(EnrollTests.WelcomeFlow());
        var late = Due.AddMinutes(7);

        var result = Wake(flow, Waiting(flow).State, Contact(), late);

        var done = Assert.Single(result.State.History, h => h.StepId == "done");
        Assert.Equal(late, done.ScheduledAt);
    }

    [Fact]
    public void WakeKeepsTheEarlierHistory()
    {
        var flow = Context(EnrollTests.WelcomeFlow());
        var waiting = Waiting(flow).State;

        var result = Wake(flow, waiting, Contact(), Due);

        Assert.Equal(waiting.History, result.State.History.Take(waiting.History.Length));
        Assert.Equal(waiting.Revision + 1, result.State.Revision);
    }

    [Fact]
    public void WakeInAPausedFlowChangesNothing()
    {
        var waiting = Waiting().State;

        var result = Wake(Context(EnrollTests.WelcomeFlow(), FlowStatus.Paused), waiting, Contact(), Due.AddHours(1));

        Assert.Empty(result.Actions);
        Assert.Same(waiting, result.State);
        Assert.Equal(ParticipantStatus.Waiting, result.State.Status);
    }

    [Fact]
    public void WakeInAnEndedFlowExitsWithFlowEnded()
    {
        var waiting = Waiting().State;

        var result = Wake(Context(EnrollTests.WelcomeFlow(), FlowStatus.Ended), waiting, Contact(), Due);

        Assert.Empty(result.Actions);
        Assert.Equal(ParticipantStatus.Exited, result.State.Status);
        Assert.Equal("flow_ended", result.State.ExitReason);
        Assert.Equal(Due, result.State.LeftAt);
        Assert.Equal("flow_ended", result.State.History[^1].Reason);
    }

    [Fact]
    public void WakeOfACompletedParticipantChangesNothing()
    {
        var flow = Context(Flow("done", """{"id": "done", "type": "end"}"""));
        var completed = Enroll(flow, Contact(), Now).State;

        var result = Wake(flow, completed, Contact(), Now.AddDays(1));

        Assert.Same(completed, result.State);
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void WakeKeepsTheVersionTheParticipantWasEnrolledWith()
    {
        var flow = Context(EnrollTests.WelcomeFlow(), version: 3);
        var waiting = Waiting(flow).State;

        var result = Wake(flow, waiting, Contact(), Due);

        Assert.Equal(3, waiting.Version);
        Assert.Equal(3, result.State.Version);
    }

    [Fact]
    public void WakeContinuesByTheStepsOfTheGivenDefinition()
    {
        var flow = Context(EnrollTests.WelcomeFlow(), version: 3);
        var waiting = Waiting(flow).State;

        var result = Wake(flow, waiting, Contact(), Due);

        Assert.Equal(["enrolled", "sent", "waiting", "sent", "ended"], result.State.History.Select(h => h.Outcome));
        Assert.Equal([null, "welcome", "pause", "reminder", "done"], result.State.History.Select(h => h.StepId));
    }

    private static FlowDefinition OfferFlow() => Flow("offer", """
        {"id": "offer", "type": "waitForEvent", "event": "link.clicked", "timeout": "P7D", "next": "lead", "onTimeout": "done"},
        {"id": "lead", "type": "updateContact", "addTags": ["warm"], "next": "done"},
        {"id": "done", "type": "end"}
        """);

    [Fact]
    public void WaitForEventWaitsUntilTheTimeout()
    {
        var result = Enroll(OfferFlow(), Contact());

        Assert.Equal(ParticipantStatus.Waiting, result.State.Status);
        Assert.Equal(Now.AddDays(7), result.State.WakeAt);
        Assert.Equal(WaitKind.EventTimeout, result.State.WaitKind);
        Assert.Equal("offer", result.State.CurrentStepId);
        var entry = result.State.History[^1];
        Assert.Equal("waiting", entry.Outcome);
        Assert.Equal(Now.AddDays(7), entry.Until);
    }

    [Fact]
    public void WakeAtTheTimeoutGoesToOnTimeout()
    {
        var flow = Context(OfferFlow());
        var waiting = Enroll(flow, Contact(), Now).State;

        var result = Wake(flow, waiting, Contact(), Now.AddDays(7));

        var timedOut = Assert.Single(result.State.History, h => h.Outcome == "timed_out");
        Assert.Equal("offer", timedOut.StepId);
        Assert.Equal("done", timedOut.Next);
        Assert.Equal(Now.AddDays(7), timedOut.ScheduledAt);
        Assert.DoesNotContain(result.State.History, h => h.StepId == "lead");
        Assert.Empty(result.Actions);
        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
    }

    [Fact]
    public void WakeBeforeTheTimeoutChangesNothing()
    {
        var flow = Context(OfferFlow());
        var waiting = Enroll(flow, Contact(), Now).State;

        var result = Wake(flow, waiting, Contact(), Now.AddDays(6));

        Assert.Same(waiting, result.State);
    }

    [Fact]
    public void WaitForEventGoesToNextWhenTheEventHappenedDuringTheWait()
    {
        var flow = Context(OfferFlow());
        var waiting = Enroll(flow, Contact(), Now).State;

        var result = Wake(flow, waiting, Contact(), Now.AddDays(7), Event("link.clicked", Now.AddDays(1)));

        Assert.Contains(result.State.History, h => h.StepId == "lead");
        Assert.DoesNotContain(result.State.History, h => h.Outcome == "timed_out");
    }
}
