using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;
using Orleans.Flows.Values;

namespace Orleans.Flows.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class EnrollmentTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    private async Task<string> SendWaitSendFlowAsync(string wait = "PT1H", string reentry = "never") =>
        await _scenario.RunningAsync(FlowScenario.SendWaitSendJson(await _scenario.EmailAsync(), await _scenario.SmsAsync(), wait, reentry));

    [Fact]
    public async Task EnrollingAContactCountsItAsEnrolled()
    {
        var flowId = await SendWaitSendFlowAsync();
        var contactId = await _scenario.ContactAsync();

        var outcome = await _scenario.EnrollAsync(flowId, contactId);

        Assert.Equal(1, outcome.Enrolled);
        Assert.Empty(outcome.Skipped);
        Assert.Null(outcome.Conflict);
        Assert.False(outcome.FlowNotFound);
    }

    [Fact]
    public async Task UnknownContactIsSkippedAsContactNotFound()
    {
        var flowId = await SendWaitSendFlowAsync();
        var known = await _scenario.ContactAsync();
        var unknown = TestIds.New("contact");

        var outcome = await _scenario.EnrollAsync(flowId, known, unknown);

        Assert.Equal(1, outcome.Enrolled);
        Assert.Equal(new EnrollmentSkip(unknown, EnrollSkipReason.ContactNotFound), Assert.Single(outcome.Skipped));
        Assert.Null(await _scenario.DetailAsync(flowId, unknown));
    }

    [Fact]
    public async Task ContactThatFailsTheFlowFilterIsSkippedAsFilteredOut()
    {
        var email = await _scenario.EmailAsync();
        var customer = await _scenario.ContactAsync(new Dictionary<string, FieldValue> { ["category"] = FieldValue.Of("customer") });
        var prospect = await _scenario.ContactAsync(new Dictionary<string, FieldValue> { ["category"] = FieldValue.Of("prospect") });
        var flowId = await _scenario.RunningAsync($$"""
            {
              "name": "Customers only",
              "filter": {"attribute": "attributes.category", "op": "eq", "value": "customer"},
              "startStepId": "welcome",
              "steps": [
                {"id": "welcome", "type": "sendEmail", "contentId": "{{email}}", "next": "hold"},
                {"id": "hold", "type": "wait", "duration": "PT1H"}
              ]
            }
            """);

        var outcome = await _scenario.EnrollAsync(flowId, customer, prospect);

        Assert.Equal(1, outcome.Enrolled);
        Assert.Equal(new EnrollmentSkip(prospect, EnrollSkipReason.FilteredOut), Assert.Single(outcome.Skipped));
        Assert.Null(await _scenario.DetailAsync(flowId, prospect));
    }

    [Fact]
    public async Task ContactStillInTheJourneyIsSkippedAsAlreadyEnrolled()
    {
        var flowId = await SendWaitSendFlowAsync(reentry: "always");
        var contactId = await _scenario.ContactAsync();
        await _scenario.EnrollAllAsync(flowId, contactId);

        var again = await _scenario.EnrollAsync(flowId, contactId);

        Assert.Equal(0, again.Enrolled);
        Assert.Equal(new EnrollmentSkip(contactId, EnrollSkipReason.AlreadyEnrolled), Assert.Single(again.Skipped));
        var detail = await _scenario.DetailAsync(flowId, contactId);
        Assert.Equal(ParticipantStatus.Waiting, detail!.Summary.Status);
        Assert.Single(detail.History, h => h.Type == "enrolled");
    }

    [Fact]
    public async Task CompletedContactIsSkippedAsReentryNotAllowedWhenReentryIsNever()
    {
        var email = await _scenario.EmailAsync();
        var contactId = await _scenario.ContactAsync();
        var flowId = await _scenario.RunningAsync($$"""
            {
              "name": "Once",
              "reentry": "never",
              "startStepId": "welcome",
              "steps": [
                {"id": "welcome", "type": "sendEmail", "contentId": "{{email}}", "next": "done"},
                {"id": "done", "type": "end"}
              ]
            }
            """);
        await _scenario.EnrollAllAsync(flowId, contactId);
        Assert.Equal(ParticipantStatus.Completed, (await _scenario.DetailAsync(flowId, contactId))!.Summary.Status);

        var again = await _scenario.EnrollAsync(flowId, contactId);

        Assert.Equal(0, again.Enrolled);
        Assert.Equal(new EnrollmentSkip(contactId, EnrollSkipReason.ReentryNotAllowed), Assert.Single(again.Skipped));
    }

    [Fact]
    public async Task ContactWithoutConsentForAnyChannelOfTheFlowIsSkippedAsNoConsent()
    {
        var email = await _scenario.EmailAsync();
        var withdrawn = await _scenario.ContactAsync(emailConsent: false);
        var flowId = await _scenario.RunningAsync($$"""
            {
              "name": "Email only",
              "startStepId": "welcome",
              "steps": [
                {"id": "welcome", "type": "sendEmail", "contentId": "{{email}}", "next": "done"},
                {"id": "done", "type": "end"}
              ]
            }
            """);

        var outcome = await _scenario.EnrollAsync(flowId, withdrawn);

        Assert.Equal(0, outcome.Enrolled);
        Assert.Equal(new EnrollmentSkip(withdrawn, EnrollSkipReason.NoConsent), Assert.Single(outcome.Skipped));
    }

    [Fact]
    public async Task DraftFlowRefusesEnrollmentWithAConflict()
    {
        var flowId = await _scenario.DraftAsync(FlowScenario.SendWaitSendJson(await _scenario.EmailAsync(), await _scenario.SmsAsync()));
        var contactId = await _scenario.ContactAsync();

        var outcome = await _scenario.EnrollAsync(flowId, contactId);

        Assert.NotNull(outcome.Conflict);
        Assert.Equal(0, outcome.Enrolled);
        Assert.False(outcome.FlowNotFound);
        Assert.Null(await _scenario.DetailAsync(flowId, contactId));
    }

    [Fact]
    public async Task UnknownFlowIsReportedAsFlowNotFound()
    {
        var contactId = await _scenario.ContactAsync();

        var outcome = await _scenario.EnrollAsync(TestIds.New("flow"), contactId);

        Assert.True(outcome.FlowNotFound);
        Assert.Equal(0, outcome.Enrolled);
    }
}
