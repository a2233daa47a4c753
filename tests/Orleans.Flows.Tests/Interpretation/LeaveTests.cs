using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

public class LeaveTests
{
    private static readonly FlowContext Welcome = Context(EnrollTests.WelcomeFlow());

    private static InterpreterResult Run(ParticipantState state, ParticipantInput input, DateTimeOffset now) =>
        FlowInterpreter.Run(Welcome, state, Snapshot(Contact()), input, now);

    [Fact]
    public void RemoveSetsStatusRemoved()
    {
        var waiting = Enroll(Welcome, Contact(), Now).State;

        var result = Run(waiting, ParticipantInput.Remove, Now.AddHours(1));

        Assert.Equal(ParticipantStatus.Removed, result.State.Status);
        Assert.Equal(Now.AddHours(1), result.State.LeftAt);
        Assert.Null(result.State.WakeAt);
        Assert.Empty(result.Actions);
        Assert.Equal("removed", result.State.History[^1].Outcome);
    }

    [Fact]
    public void FlowEndedExitsWithReasonFlowEnded()
    {
        var waiting = Enroll(Welcome, Contact(), Now).State;

        var result = Run(waiting, ParticipantInput.FlowEnded, Now.AddHours(1));

        Assert.Equal(ParticipantStatus.Exited, result.State.Status);
        Assert.Equal("flow_ended", result.State.ExitReason);
        Assert.Null(result.State.WakeAt);
        Assert.Equal(WaitKind.None, result.State.WaitKind);
        Assert.Equal("flow_ended", result.State.History[^1].Reason);
    }

    [Fact]
    public void RemovingACompletedParticipantChangesNothing()
    {
        var waiting = Enroll(Welcome, Contact(), Now).State;
        var completed = Wake(Welcome, waiting, Contact(), Now.AddDays(2)).State;
        Assert.Equal(ParticipantStatus.Completed, completed.Status);

        var result = Run(completed, ParticipantInput.Remove, Now.AddDays(3));

        Assert.Same(completed, result.State);
        Assert.Empty(result.Actions);
    }

    [Fact]
    public void RemovingAContactThatWasNeverEnrolledChangesNothing()
    {
        var state = NewParticipant();

        var result = Run(state, ParticipantInput.Remove, Now);

        Assert.Same(state, result.State);
        Assert.False(result.State.Exists);
    }
}
