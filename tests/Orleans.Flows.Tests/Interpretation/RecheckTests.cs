using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using Orleans.Flows.Values;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

/// <summary>The checks the interpreter makes before every action.</summary>
public class RecheckTests
{
    private static FlowDefinition CustomerFlow() => Flow("pause", """
        {"id": "pause", "type": "wait", "duration": "P1D", "next": "offer"},
        {"id": "offer", "type": "sendEmail", "contentId": "welcome-email", "next": "done"},
        {"id": "done", "type": "end"}
        """, """ "filter": {"attribute": "attributes.category", "op": "eq", "value": "customer"}, """);

    private static Contact Lead() => Contact() with { Attributes = Contact().Attributes.SetItem("category", FieldValue.Of("lead")) };

    [Fact]
    public void ContactThatNoLongerMatchesTheFilterAtWakeExitsFilteredOut()
    {
        var flow = Context(CustomerFlow());
        var waiting = Enroll(flow, Contact(), Now).State;

        var result = Wake(flow, waiting, Lead(), Now.AddDays(1));

        Assert.Equal(ParticipantStatus.Exited, result.State.Status);
        Assert.Equal("filtered_out", result.State.ExitReason);
        Assert.DoesNotContain(result.Actions, a => a is SendMessage);
        var exit = result.State.History[^1];
        Assert.Equal("offer", exit.StepId);
        Assert.Equal("exited", exit.Outcome);
        Assert.Equal("filtered_out", exit.Reason);
    }

    [Fact]
    public void ContactThatStillMatchesTheFilterAtWakeGetsTheMessage()
    {
        var flow = Context(CustomerFlow());
        var waiting = Enroll(flow, Contact(), Now).State;

        var result = Wake(flow, waiting, Contact(), Now.AddDays(1));

        Assert.Single(result.Actions.OfType<SendMessage>());
        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
    }

    [Fact]
    public void ContactWithoutEmailConsentExitsNoConsentAtASendEmailStep()
    {
        var flow = Flow("welcome", """
            {"id": "welcome", "type": "sendEmail", "contentId": "welcome-email", "next": "done"},
            {"id": "done", "type": "end"}
            """);

        var result = Enroll(flow, Contact() with { Consent = new Consent { Email = false } });

        Assert.Empty(result.Actions);
        Assert.Equal(ParticipantStatus.Exited, result.State.Status);
        Assert.Equal("no_consent", result.State.ExitReason);
        Assert.Equal("no_consent", result.State.History[^1].Reason);
    }

    [Fact]
    public void ConsentIsCheckedPerChannel()
    {
        var flow = Flow("sms", """
            {"id": "sms", "type": "sendSms", "contentId": "nudge-sms", "next": "done"},
            {"id": "done", "type": "end"}
            """);

        var result = Enroll(flow, Contact() with { Consent = new Consent { Email = false } });

        Assert.IsType<SendMessage>(Assert.Single(result.Actions));
        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
    }

    [Fact]
    public void SendToAContactWithoutAnAddressIsSkippedAndTheJourneyContinues()
    {
        var flow = Flow("welcome", """
            {"id": "welcome", "type": "sendEmail", "contentId": "welcome-email", "next": "sms"},
            {"id": "sms", "type": "sendSms", "contentId": "nudge-sms", "next": "done"},
            {"id": "done", "type": "end"}
            """);

        var result = Enroll(flow, Contact() with { Email = null });

        var skipped = Assert.Single(result.State.History, h => h.StepId == "welcome");
        Assert.Equal("skipped", skipped.Outcome);
        Assert.Equal("no_address", skipped.Reason);
        Assert.Null(skipped.MessageId);
        var send = Assert.IsType<SendMessage>(Assert.Single(result.Actions));
        Assert.Equal("sms", send.StepId);
        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
    }

    [Fact]
    public void EndedFlowExitsTheParticipantAtTheNextAction()
    {
        var flow = Flow("welcome", """{"id": "welcome", "type": "sendEmail", "contentId": "welcome-email"}""");

        var result = Enroll(Context(flow, FlowStatus.Ended), Contact(), Now);

        Assert.Empty(result.Actions);
        Assert.Equal(ParticipantStatus.Exited, result.State.Status);
        Assert.Equal("flow_ended", result.State.ExitReason);
    }
}
