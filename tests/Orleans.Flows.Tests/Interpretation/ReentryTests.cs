using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

public class ReentryTests
{
    private static readonly FlowContext Always = Context(Flow("welcome", """
        {"id": "welcome", "type": "sendEmail", "contentId": "welcome-email", "next": "done"},
        {"id": "done", "type": "end"}
        """, """ "reentry": "always", """));

    private static readonly DateTimeOffset Later = Now.AddDays(1);

    private static (InterpreterResult First, InterpreterResult Second) TwoJourneys()
    {
        var first = Enroll(Always, Contact(), Now);
        Assert.Equal(EnrollSkipReason.None, FlowInterpreter.CheckEnrollment(Always, first.State, Snapshot(Contact()), Later));
        var second = FlowInterpreter.Run(Always, first.State, Snapshot(Contact()), ParticipantInput.Enroll, Later);
        return (first, second);
    }

    [Fact]
    public void EnrollingAgainAfterCompletionStartsJourneyTwo()
    {
        var (_, second) = TwoJourneys();

        Assert.Equal(2, second.State.Journey);
        Assert.Equal(Later, second.State.EnrolledAt);
        Assert.Equal(ParticipantStatus.Completed, second.State.Status);
    }

    [Fact]
    public void SecondJourneyStartsANewHistory()
    {
        var (first, second) = TwoJourneys();

        Assert.Equal(first.State.History.Length, second.State.History.Length);
        Assert.All(second.State.History, h => Assert.Equal(Later, h.At));
        Assert.Equal("enrolled", second.State.History[0].Outcome);
    }

    [Fact]
    public void SecondJourneySendsWithADifferentMessageId()
    {
        var (first, second) = TwoJourneys();

        var firstId = Assert.IsType<SendMessage>(Assert.Single(first.Actions)).MessageId;
        var secondId = Assert.IsType<SendMessage>(Assert.Single(second.Actions)).MessageId;
        Assert.NotEqual(firstId, secondId);
        Assert.Equal(MessageIds.For(FlowId, ContactId, 2, "welcome", 1), secondId);
    }

    [Fact]
    public void SecondJourneyCountsVisitsAfresh()
    {
        var (_, second) = TwoJourneys();

        Assert.Equal(1, second.State.Visits["welcome"]);
    }
}
