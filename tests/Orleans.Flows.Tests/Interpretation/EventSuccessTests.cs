using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using Orleans.Flows.Values;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

/// <summary>Success criteria met by an event that reaches a waiting participant (<see cref="EventInput"/>).</summary>
public class EventSuccessTests
{
    private static readonly DateTimeOffset SaleAt = Now.AddHours(3);

    /// <summary>A welcome email, a two-day wait and a reminder; succeeds on a sale.</summary>
    private static FlowContext SaleFlow(string then = "stop", string moveTo = "null", string when = """{"event": "sale.created"}""") =>
        Context(EnrollTests.WelcomeFlow($$""" "success": {"when": {{when}}, "then": "{{then}}", "moveTo": {{moveTo}}}, """));

    private static ParticipantState Waiting(FlowContext flow)
    {
        var state = Enroll(flow, Contact(), Now).State;
        Assert.Equal(ParticipantStatus.Waiting, state.Status);
        return state;
    }

    private static InterpreterResult Sale(FlowContext flow, ParticipantState state) =>
        OnEvent(flow, state, Contact(), Event("sale.created", SaleAt), SaleAt);

    [Fact]
    public void SaleWhileWaitingWithStopEndsTheJourneyAsSucceeded()
    {
        var flow = SaleFlow();

        var result = Sale(flow, Waiting(flow));

        Assert.Equal(ParticipantStatus.Succeeded, result.State.Status);
        Assert.True(result.State.Succeeded);
        Assert.Equal("success", result.State.ExitReason);
        Assert.Equal(SaleAt, result.State.LeftAt);
    }

    [Fact]
    public void SaleWhileWaitingWithStopClearsTheWakeUp()
    {
        var flow = SaleFlow();

        var result = Sale(flow, Waiting(flow));

        Assert.Null(result.State.WakeAt);
        Assert.Equal(WaitKind.None, result.State.WaitKind);
    }

    [Fact]
    public void SaleWhileWaitingWithStopRecordsASucceededHistoryEntry()
    {
        var flow = SaleFlow();

        var result = Sale(flow, Waiting(flow));

        var entry = result.State.History[^1];
        Assert.Equal("succeeded", entry.Outcome);
        Assert.Equal("success", entry.Reason);
        Assert.Equal("pause", entry.StepId);
        Assert.Equal(SaleAt, entry.At);
    }

    [Fact]
    public void SaleWhileWaitingWithStopSendsNothing()
    {
        var flow = SaleFlow();

        var result = Sale(flow, Waiting(flow));

        Assert.Empty(result.Actions);
    }

    [Fact]
    public void SaleWhileWaitingWithContinueMarksSucceeded()
    {
        var flow = SaleFlow("continue");

        var result = Sale(flow, Waiting(flow));

        Assert.True(result.State.Succeeded);
        Assert.Null(result.State.ExitReason);
        var entry = Assert.Single(result.State.History, h => h.Outcome == "succeeded");
        Assert.Equal("success", entry.Reason);
        Assert.Equal("success", entry.Type);
    }

    [Fact]
    public void SaleWhileWaitingWithContinueKeepsTheParticipantWaiting()
    {
        var flow = SaleFlow("continue");
        var waiting = Waiting(flow);

        var result = Sale(flow, waiting);

        Assert.Equal(ParticipantStatus.Waiting, result.State.Status);
        Assert.Equal(waiting.WakeAt, result.State.WakeAt);
        Assert.Equal(WaitKind.Delay, result.State.WaitKind);
        Assert.Equal("pause", result.State.CurrentStepId);
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void SaleWhileWaitingWithMoveToEnrollsInThatFlow()
    {
        var flow = SaleFlow(moveTo: "\"vip-flow\"");

        var result = Sale(flow, Waiting(flow));

        Assert.Equal(new EnrollInFlow("vip-flow"), Assert.Single(result.Actions));
        Assert.Equal(ParticipantStatus.Succeeded, result.State.Status);
    }

    [Fact]
    public void SaleWhileWaitingWithContinueAndMoveToEnrollsAndKeepsWaiting()
    {
        var flow = SaleFlow("continue", "\"vip-flow\"");

        var result = Sale(flow, Waiting(flow));

        Assert.Equal(new EnrollInFlow("vip-flow"), Assert.Single(result.Actions));
        Assert.Equal(ParticipantStatus.Waiting, result.State.Status);
    }

    [Fact]
    public void SuccessWhereOnTheEventsPropertiesIsHonoured()
    {
        var flow = SaleFlow(when: """{"event": "sale.created", "where": {"property": "amount", "op": "gte", "value": 100}}""");
        var waiting = Waiting(flow);

        var small = OnEvent(flow, waiting, Contact(), Event("sale.created", SaleAt, "amount", FieldValue.Of(99)), SaleAt);
        var large = OnEvent(flow, waiting, Contact(), Event("sale.created", SaleAt, "amount", FieldValue.Of(100)), SaleAt);

        Assert.Same(waiting, small.State);
        Assert.Equal(ParticipantStatus.Succeeded, large.State.Status);
    }

    [Fact]
    public void SaleThatOccurredBeforeEnrollmentDoesNotCount()
    {
        var flow = SaleFlow();
        var waiting = Waiting(flow);

        var result = OnEvent(flow, waiting, Contact(), Event("sale.created", Now.AddHours(-1)), SaleAt);

        Assert.Same(waiting, result.State);
        Assert.False(result.State.Succeeded);
    }

    [Fact]
    public void EarlierSaleOnTheContactDoesNotCountWhenAnotherEventArrives()
    {
        var flow = SaleFlow();
        var waiting = Waiting(flow);

        var result = OnEvent(flow, waiting, Contact(), Event("page.viewed", SaleAt), SaleAt, Event("sale.created", Now.AddDays(-3)));

        Assert.Same(waiting, result.State);
    }

    [Fact]
    public void ParticipantThatAlreadySucceededIsNotMarkedAgain()
    {
        var flow = SaleFlow("continue");
        var succeeded = Sale(flow, Waiting(flow)).State;
        Assert.True(succeeded.Succeeded);
        var secondAt = SaleAt.AddHours(1);

        var result = OnEvent(flow, succeeded, Contact(), Event("sale.created", secondAt), secondAt, Event("sale.created", SaleAt));

        Assert.Same(succeeded, result.State);
        Assert.Single(result.State.History, h => h.Outcome == "succeeded");
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void ParticipantThatAlreadySucceededDoesNotMoveToTheOtherFlowAgain()
    {
        var flow = SaleFlow("continue", "\"vip-flow\"");
        var succeeded = Sale(flow, Waiting(flow)).State;
        var secondAt = SaleAt.AddHours(1);

        var result = OnEvent(flow, succeeded, Contact(), Event("sale.created", secondAt), secondAt, Event("sale.created", SaleAt));

        Assert.Empty(result.Actions);
    }

    [Fact]
    public void SucceededWithContinueStillSendsAtTheNextWake()
    {
        var flow = SaleFlow("continue");
        var succeeded = Sale(flow, Waiting(flow)).State;

        var result = Wake(flow, succeeded, Contact(), Now.AddDays(2), Event("sale.created", SaleAt));

        Assert.Equal("reminder", Assert.IsType<SendMessage>(Assert.Single(result.Actions)).StepId);
        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
        Assert.True(result.State.Succeeded);
        Assert.Single(result.State.History, h => h.Outcome == "succeeded");
    }

    [Fact]
    public void SaleWhileWaitingForAnotherEventWithStopEndsTheWait()
    {
        var flow = Context(EventInputTests.OfferFlow(extra: """ "success": {"when": {"event": "sale.created"}, "then": "stop"}, """));
        var waiting = Enroll(flow, Contact(), Now).State;

        var result = OnEvent(flow, waiting, Contact(), Event("sale.created", SaleAt), SaleAt);

        Assert.Equal(ParticipantStatus.Succeeded, result.State.Status);
        Assert.Null(result.State.WakeAt);
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void AwaitedEventThatIsAlsoTheSuccessEventWithStopSucceedsWithoutGoingOn()
    {
        var flow = Context(EventInputTests.OfferFlow(extra: """ "success": {"when": {"event": "link.clicked"}, "then": "stop"}, """));
        var waiting = Enroll(flow, Contact(), Now).State;

        var result = OnEvent(flow, waiting, Contact(), Event("link.clicked", SaleAt), SaleAt);

        Assert.Equal(ParticipantStatus.Succeeded, result.State.Status);
        Assert.DoesNotContain(result.State.History, h => h.Outcome == "event_received");
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void AwaitedEventThatIsAlsoTheSuccessEventWithContinueSucceedsAndGoesOn()
    {
        var flow = Context(EventInputTests.OfferFlow(extra: """ "success": {"when": {"event": "link.clicked"}, "then": "continue"}, """));
        var waiting = Enroll(flow, Contact(), Now).State;

        var result = OnEvent(flow, waiting, Contact(), Event("link.clicked", SaleAt), SaleAt);

        Assert.True(result.State.Succeeded);
        Assert.Contains(result.State.History, h => h.Outcome == "event_received");
        Assert.Equal("thanks", Assert.IsType<SendMessage>(Assert.Single(result.Actions)).StepId);
    }

    [Fact]
    public void AwaitedEventThatIsAlsoTheSuccessEventWithContinueGoesOnWhenItIsProcessedLate()
    {
        // Events are always processed a little after they occurred (ingestion, queues).
        var flow = Context(EventInputTests.OfferFlow(extra: """ "success": {"when": {"event": "link.clicked"}, "then": "continue"}, """));
        var waiting = Enroll(flow, Contact(), Now).State;

        var result = OnEvent(flow, waiting, Contact(), Event("link.clicked", SaleAt), SaleAt.AddSeconds(2));

        Assert.True(result.State.Succeeded);
        Assert.Contains(result.State.History, h => h.Outcome == "event_received");
        Assert.Equal("thanks", Assert.IsType<SendMessage>(Assert.Single(result.Actions)).StepId);
    }

    [Fact]
    public void ResumeAfterASuccessWithContinueAndTheAwaitedEventDuringThePauseGoesOn()
    {
        var definition = EventInputTests.OfferFlow(extra: """ "success": {"when": {"event": "sale.created"}, "then": "continue"}, """);
        var waiting = Enroll(Context(definition), Contact(), Now).State;
        var clickAt = Now.AddHours(4);

        var result = Wake(Context(definition), waiting, Contact(), Now.AddDays(1), Event("sale.created", SaleAt), Event("link.clicked", clickAt));

        Assert.True(result.State.Succeeded);
        Assert.Contains(result.State.History, h => h.Outcome == "event_received");
        Assert.Equal("thanks", Assert.IsType<SendMessage>(Assert.Single(result.Actions)).StepId);
    }

    [Fact]
    public void NonSuccessEventInAFlowWithSuccessCriteriaChangesNothing()
    {
        var flow = SaleFlow();
        var waiting = Waiting(flow);

        var result = OnEvent(flow, waiting, Contact(), Event("page.viewed", SaleAt), SaleAt);

        Assert.Same(waiting, result.State);
    }

    [Fact]
    public void SaleInAPausedFlowDoesNotSucceedUntilTheResume()
    {
        var running = SaleFlow();
        var waiting = Waiting(running);
        var paused = running with { Status = FlowStatus.Paused };

        var during = OnEvent(paused, waiting, Contact(), Event("sale.created", SaleAt), SaleAt);
        var resumed = Wake(running, during.State, Contact(), SaleAt.AddHours(5), Event("sale.created", SaleAt));

        Assert.Same(waiting, during.State);
        Assert.Equal(ParticipantStatus.Succeeded, resumed.State.Status);
        Assert.Empty(resumed.Actions);
    }
}
