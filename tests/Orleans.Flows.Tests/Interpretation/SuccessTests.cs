using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

public class SuccessTests
{
    private static FlowContext SaleFlow(string then = "stop", string moveTo = "null") => Context(Flow("welcome", """
        {"id": "welcome", "type": "sendEmail", "contentId": "welcome-email", "next": "pause"},
        {"id": "pause", "type": "wait", "duration": "P1D", "next": "reminder"},
        {"id": "reminder", "type": "sendEmail", "contentId": "welcome-email", "next": "done"},
        {"id": "done", "type": "end"}
        """, $$""" "success": {"when": {"event": "sale.created"}, "then": "{{then}}", "moveTo": {{moveTo}}}, """));

    private static InterpreterResult WakeWithSale(FlowContext flow, DateTimeOffset saleAt)
    {
        var waiting = Enroll(flow, Contact(), Now).State;
        return Wake(flow, waiting, Contact(), Now.AddDays(1), Event("sale.created", saleAt));
    }

    [Fact]
    public void SuccessWithStopEndsTheJourneyAsSucceededWithoutSending()
    {
        var result = WakeWithSale(SaleFlow(), Now.AddHours(2));

        Assert.Empty(result.Actions);
        Assert.Equal(ParticipantStatus.Succeeded, result.State.Status);
        Assert.True(result.State.Succeeded);
        Assert.Equal("success", result.State.ExitReason);
        Assert.Equal("succeeded", result.State.History[^1].Outcome);
    }

    [Fact]
    public void SuccessEventBeforeEnrollmentDoesNotCount()
    {
        var result = WakeWithSale(SaleFlow(), Now.AddHours(-1));

        Assert.Equal("reminder", Assert.IsType<SendMessage>(Assert.Single(result.Actions)).StepId);
        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
        Assert.False(result.State.Succeeded);
    }

    [Fact]
    public void SuccessWithContinueMarksSucceededAndStillSends()
    {
        var result = WakeWithSale(SaleFlow("continue"), Now.AddHours(2));

        Assert.Equal("reminder", Assert.IsType<SendMessage>(Assert.Single(result.Actions)).StepId);
        Assert.True(result.State.Succeeded);
        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
    }

    [Fact]
    public void SuccessWithMoveToEnrollsInThatFlow()
    {
        var result = WakeWithSale(SaleFlow(moveTo: "\"vip-flow\""), Now.AddHours(2));

        Assert.Equal(new EnrollInFlow("vip-flow"), Assert.Single(result.Actions));
        Assert.Equal(ParticipantStatus.Succeeded, result.State.Status);
    }

    [Fact]
    public void SuccessWithContinueAndMoveToEnrollsAndSends()
    {
        var result = WakeWithSale(SaleFlow("continue", "\"vip-flow\""), Now.AddHours(2));

        Assert.Contains(new EnrollInFlow("vip-flow"), result.Actions);
        Assert.Single(result.Actions.OfType<SendMessage>());
    }

    [Fact]
    public void SuccessEventSeenAtAWakeBeforeTheDueTimeStopsTheJourney()
    {
        // The sale happened while waiting; any wake-up (a resume, an early reminder) acts on it.
        var flow = SaleFlow();
        var waiting = Enroll(flow, Contact(), Now).State;

        var result = Wake(flow, waiting, Contact(), Now.AddHours(12), Event("sale.created", Now.AddHours(2)));

        Assert.Equal(ParticipantStatus.Succeeded, result.State.Status);
        Assert.DoesNotContain(result.Actions, a => a is SendMessage);
    }
}
