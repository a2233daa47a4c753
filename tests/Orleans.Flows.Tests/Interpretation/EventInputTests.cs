using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using Orleans.Flows.Values;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

/// <summary>An event of the contact reaching a participant of a running flow (<see cref="EventInput"/>).</summary>
public class EventInputTests
{
    private static readonly DateTimeOffset ClickAt = Now.AddHours(1);

    /// <summary>Waits up to seven days for a click, then thanks by email; without a click it ends.</summary>
    internal static FlowDefinition OfferFlow(string where = "", string extra = "") => Flow("offer", $$"""
        {"id": "offer", "type": "waitForEvent", "event": "link.clicked", {{where}} "timeout": "P7D", "next": "thanks", "onTimeout": "done"},
        {"id": "thanks", "type": "sendEmail", "contentId": "welcome-email", "next": "done"},
        {"id": "done", "type": "end"}
        """, extra);

    /// <summary>Waits an hour first, so that the wait for the click starts an hour after enrollment.</summary>
    internal static FlowDefinition DelayedOfferFlow() => Flow("pause", """
        {"id": "pause", "type": "wait", "duration": "PT1H", "next": "offer"},
        {"id": "offer", "type": "waitForEvent", "event": "link.clicked", "timeout": "P7D", "next": "thanks", "onTimeout": "done"},
        {"id": "thanks", "type": "sendEmail", "contentId": "welcome-email", "next": "done"},
        {"id": "done", "type": "end"}
        """);

    private const string PricingWhere = """ "where": {"property": "url", "op": "contains", "value": "/pricing"}, """;

    private static ParticipantState WaitingAtOffer(FlowContext flow)
    {
        var state = Enroll(flow, Contact(), Now).State;
        Assert.Equal(ParticipantStatus.Waiting, state.Status);
        Assert.Equal("offer", state.CurrentStepId);
        return state;
    }

    private static ContactEvent Click(DateTimeOffset at, string url = "https://example.com/pricing") =>
        Event("link.clicked", at, "url", FieldValue.Of(url));

    [Fact]
    public void AwaitedEventRecordsEventReceivedWithTheNextStep()
    {
        var flow = Context(OfferFlow());

        var result = OnEvent(flow, WaitingAtOffer(flow), Contact(), Click(ClickAt), ClickAt);

        var received = Assert.Single(result.State.History, h => h.Outcome == "event_received");
        Assert.Equal("offer", received.StepId);
        Assert.Equal("thanks", received.Next);
        Assert.Equal("event:link.clicked", received.Reason);
        Assert.Equal(ClickAt, received.At);
    }

    [Fact]
    public void AwaitedEventRunsTheNextStep()
    {
        var flow = Context(OfferFlow());

        var result = OnEvent(flow, WaitingAtOffer(flow), Contact(), Click(ClickAt), ClickAt);

        var send = Assert.IsType<SendMessage>(Assert.Single(result.Actions));
        Assert.Equal("thanks", send.StepId);
        Assert.Equal(MessageIds.For(FlowId, ContactId, 1, "thanks", 1), send.MessageId);
        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
    }

    [Fact]
    public void AwaitedEventClearsTheTimeout()
    {
        var flow = Context(OfferFlow());
        var waiting = WaitingAtOffer(flow);
        Assert.Equal(Now.AddDays(7), waiting.WakeAt);

        var result = OnEvent(flow, waiting, Contact(), Click(ClickAt), ClickAt);

        Assert.Null(result.State.WakeAt);
        Assert.Equal(WaitKind.None, result.State.WaitKind);
        Assert.DoesNotContain(result.State.History, h => h.Outcome == "timed_out");
    }

    [Fact]
    public void AwaitedEventCompletesTheWaitForEventStepInTheStatistics()
    {
        var flow = Context(OfferFlow());

        var result = OnEvent(flow, WaitingAtOffer(flow), Contact(), Click(ClickAt), ClickAt);

        Assert.Contains(new StepTransition("offer", StepPhase.Completed), result.Steps);
        Assert.Contains(new StepTransition("thanks", StepPhase.Entered), result.Steps);
    }

    [Fact]
    public void EventNotMatchingTheWhereChangesNothing()
    {
        var flow = Context(OfferFlow(PricingWhere));
        var waiting = WaitingAtOffer(flow);

        var result = OnEvent(flow, waiting, Contact(), Click(ClickAt, "https://example.com/blog"), ClickAt);

        Assert.Same(waiting, result.State);
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void EventMatchingTheWhereContinuesAtNext()
    {
        var flow = Context(OfferFlow(PricingWhere));

        var result = OnEvent(flow, WaitingAtOffer(flow), Contact(), Click(ClickAt, "https://example.com/PRICING/team"), ClickAt);

        Assert.Equal("thanks", Assert.IsType<SendMessage>(Assert.Single(result.Actions)).StepId);
        Assert.Contains(result.State.History, h => h.Outcome == "event_received");
    }

    [Fact]
    public void EventWithoutThePropertyTheWhereNeedsChangesNothing()
    {
        var flow = Context(OfferFlow(PricingWhere));
        var waiting = WaitingAtOffer(flow);

        var result = OnEvent(flow, waiting, Contact(), Event("link.clicked", ClickAt), ClickAt);

        Assert.Same(waiting, result.State);
    }

    [Fact]
    public void EventOfAnotherTypeChangesNothing()
    {
        var flow = Context(OfferFlow());
        var waiting = WaitingAtOffer(flow);

        var result = OnEvent(flow, waiting, Contact(), Event("email.opened", ClickAt), ClickAt);

        Assert.Same(waiting, result.State);
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void EventTypeIsMatchedExactly()
    {
        var flow = Context(OfferFlow());
        var waiting = WaitingAtOffer(flow);

        var result = OnEvent(flow, waiting, Contact(), Event("Link.Clicked", ClickAt), ClickAt);

        Assert.Same(waiting, result.State);
    }

    [Fact]
    public void EventThatOccurredBeforeTheWaitStartedChangesNothing()
    {
        var flow = Context(DelayedOfferFlow());
        var enrolled = Enroll(flow, Contact(), Now).State;
        var waitStart = Now.AddHours(1);
        var waiting = Wake(flow, enrolled, Contact(), waitStart).State;
        Assert.Equal("offer", waiting.CurrentStepId);

        // After enrollment, but half an hour before the participant began to wait for it; delivered late.
        var result = OnEvent(flow, waiting, Contact(), Click(Now.AddMinutes(30)), waitStart.AddHours(1));

        Assert.Same(waiting, result.State);
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void EventThatOccurredWhenTheWaitStartedCounts()
    {
        var flow = Context(DelayedOfferFlow());
        var waitStart = Now.AddHours(1);
        var waiting = Wake(flow, Enroll(flow, Contact(), Now).State, Contact(), waitStart).State;

        var result = OnEvent(flow, waiting, Contact(), Click(waitStart), waitStart.AddMinutes(1));

        Assert.Equal("thanks", Assert.IsType<SendMessage>(Assert.Single(result.Actions)).StepId);
    }

    [Fact]
    public void EventThatOccurredBeforeEnrollmentChangesNothing()
    {
        var flow = Context(OfferFlow());
        var waiting = WaitingAtOffer(flow);

        var result = OnEvent(flow, waiting, Contact(), Click(Now.AddMinutes(-5)), ClickAt);

        Assert.Same(waiting, result.State);
    }

    [Fact]
    public void EventWhileWaitingAtAPlainWaitChangesNothing()
    {
        var flow = Context(EnrollTests.WelcomeFlow());
        var waiting = Enroll(flow, Contact(), Now).State;
        Assert.Equal("pause", waiting.CurrentStepId);

        var result = OnEvent(flow, waiting, Contact(), Click(ClickAt), ClickAt);

        Assert.Same(waiting, result.State);
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void EventWhileWaitingAtAWaitBeforeTheWaitForEventDoesNotSkipAhead()
    {
        var flow = Context(DelayedOfferFlow());
        var waiting = Enroll(flow, Contact(), Now).State;
        Assert.Equal("pause", waiting.CurrentStepId);

        var result = OnEvent(flow, waiting, Contact(), Click(Now.AddMinutes(10)), Now.AddMinutes(10));

        Assert.Same(waiting, result.State);
    }

    [Fact]
    public void EventForACompletedParticipantChangesNothing()
    {
        var flow = Context(OfferFlow());
        var completed = Wake(flow, WaitingAtOffer(flow), Contact(), Now.AddDays(7)).State;
        Assert.Equal(ParticipantStatus.Completed, completed.Status);

        var result = OnEvent(flow, completed, Contact(), Click(Now.AddDays(8)), Now.AddDays(8));

        Assert.Same(completed, result.State);
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void EventForAnExitedParticipantChangesNothing()
    {
        var flow = Context(OfferFlow());
        var exited = FlowInterpreter.Run(flow, WaitingAtOffer(flow), Snapshot(Contact()), ParticipantInput.FlowEnded, Now.AddMinutes(1)).State;
        Assert.Equal(ParticipantStatus.Exited, exited.Status);

        var result = OnEvent(flow, exited, Contact(), Click(ClickAt), ClickAt);

        Assert.Same(exited, result.State);
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void EventForARemovedParticipantChangesNothing()
    {
        var flow = Context(OfferFlow());
        var removed = FlowInterpreter.Run(flow, WaitingAtOffer(flow), Snapshot(Contact()), ParticipantInput.Remove, Now.AddMinutes(1)).State;
        Assert.Equal(ParticipantStatus.Removed, removed.Status);

        var result = OnEvent(flow, removed, Contact(), Click(ClickAt), ClickAt);

        Assert.Same(removed, result.State);
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void EventForAContactThatWasNeverEnrolledChangesNothing()
    {
        var flow = Context(OfferFlow());
        var state = NewParticipant();

        var result = OnEvent(flow, state, Contact(), Click(ClickAt), ClickAt);

        Assert.Same(state, result.State);
        Assert.False(result.State.Exists);
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void ContactThatLostTheFilterExitsFilteredOutAtTheSendAfterTheEvent()
    {
        var flow = Context(OfferFlow(extra: """ "filter": {"attribute": "attributes.category", "op": "eq", "value": "customer"}, """));
        var waiting = WaitingAtOffer(flow);
        var lead = Contact() with { Attributes = Contact().Attributes.SetItem("category", FieldValue.Of("lead")) };

        var result = OnEvent(flow, waiting, lead, Click(ClickAt), ClickAt);

        Assert.DoesNotContain(result.Actions, a => a is SendMessage);
        Assert.Equal(ParticipantStatus.Exited, result.State.Status);
        Assert.Equal("filtered_out", result.State.ExitReason);
        var exit = result.State.History[^1];
        Assert.Equal("thanks", exit.StepId);
        Assert.Equal("exited", exit.Outcome);
        Assert.Equal("filtered_out", exit.Reason);
    }

    [Fact]
    public void ContactThatStillPassesTheFilterGetsTheSendAfterTheEvent()
    {
        var flow = Context(OfferFlow(extra: """ "filter": {"attribute": "attributes.category", "op": "eq", "value": "customer"}, """));

        var result = OnEvent(flow, WaitingAtOffer(flow), Contact(), Click(ClickAt), ClickAt);

        Assert.Single(result.Actions.OfType<SendMessage>());
        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
    }
}
