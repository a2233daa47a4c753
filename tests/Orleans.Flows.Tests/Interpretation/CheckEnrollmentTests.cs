using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using Orleans.Flows.Values;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

public class CheckEnrollmentTests
{
    private static FlowDefinition EmailFlow(string extra = "") => Flow("welcome", """
        {"id": "welcome", "type": "sendEmail", "contentId": "welcome-email", "next": "done"},
        {"id": "done", "type": "end"}
        """, extra);

    private static EnrollSkipReason Check(FlowContext flow, ParticipantState? state = null, Contact? contact = null, DateTimeOffset? now = null) =>
        FlowInterpreter.CheckEnrollment(flow, state ?? NewParticipant(), Snapshot(contact ?? Contact()), now ?? Now);

    /// <summary>The state of a participant who went through <paramref name="flow"/> and completed it at <see cref="FlowBuilder.Now"/>.</summary>
    private static ParticipantState Completed(FlowContext flow)
    {
        var state = Enroll(flow, Contact(), Now).State;
        Assert.Equal(ParticipantStatus.Completed, state.Status);
        return state;
    }

    [Fact]
    public void NewContactOfARunningFlowMayEnroll()
    {
        Assert.Equal(EnrollSkipReason.None, Check(Context(EmailFlow())));
    }

    [Theory]
    [InlineData(FlowStatus.Draft)]
    [InlineData(FlowStatus.Paused)]
    [InlineData(FlowStatus.Ended)]
    public void FlowThatIsNotRunningRefusesEnrollment(FlowStatus status)
    {
        Assert.Equal(EnrollSkipReason.FlowNotRunning, Check(Context(EmailFlow(), status)));
    }

    [Fact]
    public void MissingContactIsContactNotFound()
    {
        Assert.Equal(EnrollSkipReason.ContactNotFound, FlowInterpreter.CheckEnrollment(Context(EmailFlow()), NewParticipant(), null, Now));
    }

    [Fact]
    public void WaitingParticipantIsAlreadyEnrolled()
    {
        var flow = Context(EnrollTests.WelcomeFlow(""" "reentry": "always", """));
        var waiting = Enroll(flow, Contact(), Now).State;

        Assert.Equal(EnrollSkipReason.AlreadyEnrolled, Check(flow, waiting, now: Now.AddHours(1)));
    }

    [Fact]
    public void ReentryNeverRefusesACompletedParticipant()
    {
        var flow = Context(EmailFlow(""" "reentry": "never", """));

        Assert.Equal(EnrollSkipReason.ReentryNotAllowed, Check(flow, Completed(flow), now: Now.AddDays(365)));
    }

    [Fact]
    public void ReentryIsNeverByDefault()
    {
        var flow = Context(EmailFlow());

        Assert.Equal(EnrollSkipReason.ReentryNotAllowed, Check(flow, Completed(flow), now: Now.AddDays(1)));
    }

    [Fact]
    public void ReentryAfterAPeriodRefusesBeforeThePeriodHasPassed()
    {
        var flow = Context(EmailFlow(""" "reentry": {"after": "P30D"}, """));

        Assert.Equal(EnrollSkipReason.ReentryNotAllowed, Check(flow, Completed(flow), now: Now.AddDays(10)));
    }

    [Fact]
    public void ReentryAfterAPeriodAllowsOnceThePeriodHasPassed()
    {
        var flow = Context(EmailFlow(""" "reentry": {"after": "P30D"}, """));

        Assert.Equal(EnrollSkipReason.None, Check(flow, Completed(flow), now: Now.AddDays(31)));
    }

    [Fact]
    public void ReentryAlwaysAllowsAfterCompletion()
    {
        var flow = Context(EmailFlow(""" "reentry": "always", """));

        Assert.Equal(EnrollSkipReason.None, Check(flow, Completed(flow), now: Now.AddMinutes(1)));
    }

    [Fact]
    public void ContactNotMatchingTheFilterIsFilteredOut()
    {
        var flow = Context(EmailFlow(""" "filter": {"attribute": "attributes.category", "op": "eq", "value": "customer"}, """));
        var lead = Contact() with { Attributes = Contact().Attributes.SetItem("category", FieldValue.Of("lead")) };

        Assert.Equal(EnrollSkipReason.FilteredOut, Check(flow, contact: lead));
        Assert.Equal(EnrollSkipReason.None, Check(flow));
    }

    [Fact]
    public void ContactWithoutConsentForTheFlowsOnlyChannelHasNoConsent()
    {
        var contact = Contact() with { Consent = new Consent { Email = false } };

        Assert.Equal(EnrollSkipReason.NoConsent, Check(Context(EmailFlow()), contact: contact));
    }

    [Fact]
    public void ContactWithConsentForOneOfTheFlowsChannelsMayEnroll()
    {
        var contact = Contact() with { Consent = new Consent { Email = false } };

        Assert.Equal(EnrollSkipReason.None, Check(Context(EnrollTests.WelcomeFlow()), contact: contact));
    }

    [Fact]
    public void FlowWithoutSendsNeedsNoConsent()
    {
        var flow = Context(Flow("done", """{"id": "done", "type": "end"}"""));
        var contact = Contact() with { Consent = new Consent { Email = false, Sms = false, Push = false } };

        Assert.Equal(EnrollSkipReason.None, Check(flow, contact: contact));
    }

    [Fact]
    public void SkipReasonsHaveTheirApiNames()
    {
        Assert.Equal("contact_not_found", EnrollSkipReason.ContactNotFound.ToApi());
        Assert.Equal("filtered_out", EnrollSkipReason.FilteredOut.ToApi());
        Assert.Equal("already_enrolled", EnrollSkipReason.AlreadyEnrolled.ToApi());
        Assert.Equal("reentry_not_allowed", EnrollSkipReason.ReentryNotAllowed.ToApi());
        Assert.Equal("no_consent", EnrollSkipReason.NoConsent.ToApi());
    }
}
