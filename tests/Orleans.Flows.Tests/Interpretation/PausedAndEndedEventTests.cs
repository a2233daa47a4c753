using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using Orleans.Flows.Values;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

/// <summary>
/// Events that reach participants of a paused or ended flow, and the wake-up a resume sends to every waiting
/// participant.
/// </summary>
public class PausedAndEndedEventTests
{
    private static readonly DateTimeOffset PausedAt = Now.AddHours(1);
    private static readonly DateTimeOffset ClickAt = Now.AddHours(2);
    private static readonly DateTimeOffset ResumedAt = Now.AddDays(1);

    private static FlowContext Running(FlowDefinition definition) => Context(definition);

    private static FlowContext Paused(FlowDefinition definition) => Context(definition, FlowStatus.Paused);

    private static FlowContext Ended(FlowDefinition definition) => Context(definition, FlowStatus.Ended);

    private static ParticipantState WaitingAtOffer(FlowDefinition definition)
    {
        var state = Enroll(Running(definition), Contact(), Now).State;
        Assert.Equal("offer", state.CurrentStepId);
        Assert.Equal(ParticipantStatus.Waiting, state.Status);
        return state;
    }

    private static ContactEvent Click(DateTimeOffset at, string url = "https://example.com/pricing") =>
        Event("link.clicked", at, "url", FieldValue.Of(url));

    private static InterpreterResult Resume(FlowDefinition definition, ParticipantState state, DateTimeOffset at, params ContactEvent[] events) =>
        Wake(Running(definition), state, Contact(), at, events);

    [Fact]
    public void EventInAPausedFlowChangesNothing()
    {
        var definition = EventInputTests.OfferFlow();
        var waiting = WaitingAtOffer(definition);

        var result = OnEvent(Paused(definition), waiting, Contact(), Click(ClickAt), ClickAt);

        Assert.Same(waiting, result.State);
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void ResumeGoesToNextWhenTheAwaitedEventArrivedDuringThePause()
    {
        var definition = EventInputTests.OfferFlow();
        var waiting = WaitingAtOffer(definition);
        var paused = OnEvent(Paused(definition), waiting, Contact(), Click(ClickAt), ClickAt).State;

        var result = Resume(definition, paused, ResumedAt, Click(ClickAt));

        Assert.True(ResumedAt < waiting.WakeAt, "the resume comes before the timeout");
        var received = Assert.Single(result.State.History, h => h.Outcome == "event_received");
        Assert.Equal("offer", received.StepId);
        Assert.Equal("thanks", Assert.IsType<SendMessage>(Assert.Single(result.Actions)).StepId);
        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
        Assert.DoesNotContain(result.State.History, h => h.Outcome == "timed_out");
    }

    [Fact]
    public void ResumeRecordsTheSendAtTheResumeTime()
    {
        var definition = EventInputTests.OfferFlow();

        var result = Resume(definition, WaitingAtOffer(definition), ResumedAt, Click(ClickAt));

        var sent = Assert.Single(result.State.History, h => h.StepId == "thanks");
        Assert.Equal(ResumedAt, sent.At);
        Assert.Equal("sent", sent.Outcome);
    }

    [Fact]
    public void ResumeWithoutTheAwaitedEventKeepsWaitingForIt()
    {
        var definition = EventInputTests.OfferFlow();
        var waiting = WaitingAtOffer(definition);

        var result = Resume(definition, waiting, ResumedAt, Event("email.opened", ClickAt));

        Assert.Same(waiting, result.State);
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void ResumeIgnoresAnAwaitedEventThatOccurredBeforeTheWaitBegan()
    {
        var definition = EventInputTests.DelayedOfferFlow();
        var waitStart = Now.AddHours(1);
        var waiting = Wake(Running(definition), Enroll(Running(definition), Contact(), Now).State, Contact(), waitStart).State;
        Assert.Equal("offer", waiting.CurrentStepId);

        var result = Resume(definition, waiting, ResumedAt, Click(Now.AddMinutes(30)));

        Assert.Same(waiting, result.State);
    }

    [Fact]
    public void ResumeIgnoresAnAwaitedEventThatDoesNotMatchTheWhere()
    {
        var definition = EventInputTests.OfferFlow(""" "where": {"property": "url", "op": "contains", "value": "/pricing"}, """);
        var waiting = WaitingAtOffer(definition);

        var result = Resume(definition, waiting, ResumedAt, Click(ClickAt, "https://example.com/blog"));

        Assert.Same(waiting, result.State);
    }

    [Fact]
    public void ResumeAfterTheTimeoutTimesOutWhenTheEventCameOnlyAfterTheTimeout()
    {
        var definition = EventInputTests.OfferFlow();
        var waiting = WaitingAtOffer(definition);
        var timeout = Now.AddDays(7);

        var result = Resume(definition, waiting, timeout.AddDays(1), Click(timeout.AddHours(1)));

        var timedOut = Assert.Single(result.State.History, h => h.Outcome == "timed_out");
        Assert.Equal(timeout, timedOut.ScheduledAt);
        Assert.DoesNotContain(result.State.History, h => h.Outcome == "event_received");
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void ResumeAfterTheTimeoutGoesToNextWhenTheEventCameBeforeTheTimeout()
    {
        var definition = EventInputTests.OfferFlow();
        var timeout = Now.AddDays(7);

        var result = Resume(definition, WaitingAtOffer(definition), timeout.AddDays(1), Click(ClickAt));

        Assert.Contains(result.State.History, h => h.Outcome == "event_received");
        Assert.DoesNotContain(result.State.History, h => h.Outcome == "timed_out");
    }

    [Fact]
    public void WakeWhileStillPausedIgnoresTheAwaitedEvent()
    {
        var definition = EventInputTests.OfferFlow();
        var waiting = WaitingAtOffer(definition);

        var result = Wake(Paused(definition), waiting, Contact(), ResumedAt, Click(ClickAt));

        Assert.Same(waiting, result.State);
    }

    [Fact]
    public void ResumeContinuesAPlainWaitThatFellDueDuringThePause()
    {
        var definition = EnrollTests.WelcomeFlow();
        var waiting = Enroll(Running(definition), Contact(), Now).State;
        var due = Now.AddDays(2);
        Assert.Same(waiting, Wake(Paused(definition), waiting, Contact(), due).State);

        var result = Resume(definition, waiting, due.AddDays(1));

        Assert.Equal("reminder", Assert.IsType<SendMessage>(Assert.Single(result.Actions)).StepId);
        Assert.Equal(due, Assert.Single(result.State.History, h => h.StepId == "reminder").ScheduledAt);
        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
    }

    [Fact]
    public void ResumeLeavesAPlainWaitThatIsNotDueYet()
    {
        var definition = EnrollTests.WelcomeFlow();
        var waiting = Enroll(Running(definition), Contact(), Now).State;

        var result = Resume(definition, waiting, PausedAt.AddHours(5));

        Assert.Same(waiting, result.State);
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void EventInAnEndedFlowChangesNothing()
    {
        var definition = EventInputTests.OfferFlow();
        var waiting = WaitingAtOffer(definition);

        var result = OnEvent(Ended(definition), waiting, Contact(), Click(ClickAt), ClickAt);

        Assert.Same(waiting, result.State);
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void WakeInAnEndedFlowExitsAWaitForEventWithFlowEnded()
    {
        var definition = EventInputTests.OfferFlow();

        var result = Wake(Ended(definition), WaitingAtOffer(definition), Contact(), ResumedAt, Click(ClickAt));

        Assert.Equal(ParticipantStatus.Exited, result.State.Status);
        Assert.Equal("flow_ended", result.State.ExitReason);
        Assert.Null(result.State.WakeAt);
        Assert.Empty(result.Actions);
        Assert.DoesNotContain(result.State.History, h => h.Outcome == "event_received");
    }
}
