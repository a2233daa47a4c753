using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

/// <summary>
/// A contact whose events start a flow again and again: each start event asks <see cref="FlowInterpreter.CheckEnrollment"/>,
/// which applies the flow's re-entry rule.
/// </summary>
public class EventReentryTests
{
    /// <summary>Started by a form; waits five days, then sends, so a journey leaves five days after it began.</summary>
    private static FlowContext FormFlow(string reentry) => Context(Flow("pause", """
        {"id": "pause", "type": "wait", "duration": "P5D", "next": "welcome"},
        {"id": "welcome", "type": "sendEmail", "contentId": "welcome-email", "next": "done"},
        {"id": "done", "type": "end"}
        """, $$""" "trigger": {"type": "event", "event": "form.submitted"}, "reentry": {{reentry}}, """));

    private static readonly DateTimeOffset LeftAt = Now.AddDays(5);

    private static ParticipantState Completed(FlowContext flow)
    {
        var state = Wake(flow, Enroll(flow, Contact(), Now).State, Contact(), LeftAt).State;
        Assert.Equal(ParticipantStatus.Completed, state.Status);
        Assert.Equal(LeftAt, state.LeftAt);
        return state;
    }

    /// <summary>What a second form submission at <paramref name="at"/> would do.</summary>
    private static EnrollSkipReason SubmitAgain(FlowContext flow, ParticipantState state, DateTimeOffset at)
    {
        var form = Event("form.submitted", at);
        Assert.True(FlowTriggerIndex.IsStartedBy(flow.Definition.Trigger, form));
        return FlowInterpreter.CheckEnrollment(flow, state, Snapshot(Contact(), form), at);
    }

    [Fact]
    public void ReentryAlwaysAllowsASecondEnrollmentAfterCompletion()
    {
        var flow = FormFlow("\"always\"");

        Assert.Equal(EnrollSkipReason.None, SubmitAgain(flow, Completed(flow), LeftAt.AddMinutes(1)));
    }

    [Fact]
    public void ReentryAlwaysStartsTheSecondJourney()
    {
        var flow = FormFlow("\"always\"");
        var again = LeftAt.AddMinutes(1);

        var result = FlowInterpreter.Run(flow, Completed(flow), Snapshot(Contact(), Event("form.submitted", again)), ParticipantInput.Enroll, again);

        Assert.Equal(2, result.State.Journey);
        Assert.Equal(ParticipantStatus.Waiting, result.State.Status);
        Assert.Equal(again, result.State.EnrolledAt);
        Assert.Null(result.State.LeftAt);
    }

    [Fact]
    public void ReentryAlwaysAllowsASecondEnrollmentAfterAnExit()
    {
        var flow = FormFlow("\"always\"");
        var exited = FlowInterpreter.Run(flow, Enroll(flow, Contact(), Now).State, Snapshot(Contact()), ParticipantInput.Remove, Now.AddDays(1)).State;

        Assert.Equal(EnrollSkipReason.None, SubmitAgain(flow, exited, Now.AddDays(1).AddMinutes(1)));
    }

    [Fact]
    public void ReentryAfterAPeriodRefusesTenDaysAfterLeaving()
    {
        var flow = FormFlow("""{"after": "P30D"}""");

        Assert.Equal(EnrollSkipReason.ReentryNotAllowed, SubmitAgain(flow, Completed(flow), LeftAt.AddDays(10)));
    }

    [Fact]
    public void ReentryAfterAPeriodAllowsThirtyOneDaysAfterLeaving()
    {
        var flow = FormFlow("""{"after": "P30D"}""");

        Assert.Equal(EnrollSkipReason.None, SubmitAgain(flow, Completed(flow), LeftAt.AddDays(31)));
    }

    [Fact]
    public void ReentryAfterAPeriodCountsFromLeavingNotFromEnrolling()
    {
        var flow = FormFlow("""{"after": "P30D"}""");

        // 31 days after enrolling, but only 26 after leaving.
        Assert.Equal(EnrollSkipReason.ReentryNotAllowed, SubmitAgain(flow, Completed(flow), Now.AddDays(31)));
    }

    [Fact]
    public void ReentryAfterAPeriodAllowsExactlyWhenThePeriodEnds()
    {
        var flow = FormFlow("""{"after": "P30D"}""");

        Assert.Equal(EnrollSkipReason.None, SubmitAgain(flow, Completed(flow), LeftAt.AddDays(30)));
    }

    [Fact]
    public void ReentryNeverRefusesASecondEnrollment()
    {
        var flow = FormFlow("\"never\"");

        Assert.Equal(EnrollSkipReason.ReentryNotAllowed, SubmitAgain(flow, Completed(flow), LeftAt.AddDays(365)));
    }

    [Theory]
    [InlineData("\"always\"")]
    [InlineData("""{"after": "P30D"}""")]
    [InlineData("\"never\"")]
    public void WaitingParticipantIsAlreadyEnrolledWhateverTheReentry(string reentry)
    {
        var flow = FormFlow(reentry);
        var waiting = Enroll(flow, Contact(), Now).State;
        Assert.Equal(ParticipantStatus.Waiting, waiting.Status);

        Assert.Equal(EnrollSkipReason.AlreadyEnrolled, SubmitAgain(flow, waiting, Now.AddDays(40)));
    }

    [Fact]
    public void SecondStartEventOfAPausedFlowDoesNotEnroll()
    {
        var flow = FormFlow("\"always\"");
        var completed = Completed(flow);

        Assert.Equal(EnrollSkipReason.FlowNotRunning, SubmitAgain(flow with { Status = FlowStatus.Paused }, completed, LeftAt.AddDays(1)));
    }

    [Fact]
    public void StartEventOfAContactThatNoLongerExistsIsContactNotFound()
    {
        var flow = FormFlow("\"always\"");

        Assert.Equal(EnrollSkipReason.ContactNotFound, FlowInterpreter.CheckEnrollment(flow, NewParticipant(), null, Now));
    }
}
