using System.Collections.Immutable;
using Orleans.Flows.Content;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

public class FlowValidatorTests
{
    private static ImmutableSortedDictionary<string, string[]> Validate(FlowDefinition definition, FlowReferences? references = null) =>
        FlowValidator.Validate(definition, references ?? References());

    private static ImmutableSortedDictionary<string, string[]> Validate(string startStepId, string steps, string extra = "", FlowReferences? references = null) =>
        Validate(Flow(startStepId, steps, extra), references);

    private static string Describe(ImmutableSortedDictionary<string, string[]> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));

    private static void AssertValid(ImmutableSortedDictionary<string, string[]> errors) => Assert.True(errors.IsEmpty, Describe(errors));

    private static void AssertError(ImmutableSortedDictionary<string, string[]> errors, string path) =>
        Assert.True(errors.ContainsKey(path), $"expected an error at {path}; got {Describe(errors)}");

    [Fact]
    public void ExampleDefinitionIsValidWhenItsContentExists()
    {
        AssertValid(Validate(Example()));
    }

    [Fact]
    public void ExampleDefinitionWithoutItsContentNamesBothSendSteps()
    {
        var references = new FlowReferences(new Dictionary<string, Channel>(), new HashSet<string>(), null);

        var errors = Validate(Example(), references);

        Assert.Equal(["$.steps[0].contentId", "$.steps[3].contentId"], errors.Keys);
    }

    [Fact]
    public void ReferencesListsTheContentAndFlowsADefinitionNames()
    {
        var definition = Flow("a", """
            {"id": "a", "type": "sendEmail", "contentId": "welcome-email", "next": "b"},
            {"id": "b", "type": "sendSms", "contentId": "nudge-sms", "next": "c"},
            {"id": "c", "type": "moveToFlow", "flowId": "vip-flow"}
            """, """ "success": {"when": {"event": "sale.created"}, "moveTo": "other-flow"}, """);

        var (content, flows) = FlowValidator.References(definition);

        Assert.Equal(["welcome-email", "nudge-sms"], content.ToArray());
        Assert.Equal(["vip-flow", "other-flow"], flows.ToArray());
    }

    [Fact]
    public void RepeatedStepIdIsAnErrorAtTheRepeatingStep()
    {
        var errors = Validate("a", """
            {"id": "a", "type": "sendEmail", "contentId": "welcome-email", "next": "b"},
            {"id": "b", "type": "end"},
            {"id": "b", "type": "end"}
            """);

        AssertError(errors, "$.steps[2].id");
        Assert.False(errors.ContainsKey("$.steps[1].id"));
    }

    [Fact]
    public void NextPointingNowhereIsAnErrorAtNext()
    {
        var errors = Validate("a", """
            {"id": "a", "type": "sendEmail", "contentId": "welcome-email", "next": "b"},
            {"id": "b", "type": "wait", "duration": "P1D", "next": "ghost"}
            """);

        AssertError(errors, "$.steps[1].next");
    }

    [Fact]
    public void ConditionBranchPointingNowhereIsAnErrorAtThatBranch()
    {
        var errors = Validate("a", """
            {"id": "a", "type": "condition", "if": {"attribute": "email", "op": "exists"}, "then": "b", "else": "ghost"},
            {"id": "b", "type": "end"}
            """);

        AssertError(errors, "$.steps[0].else");
    }

    [Fact]
    public void UnreachableStepIsAnErrorAtThatStep()
    {
        var errors = Validate("a", """
            {"id": "a", "type": "sendEmail", "contentId": "welcome-email"},
            {"id": "b", "type": "end"}
            """);

        AssertError(errors, "$.steps[1]");
        Assert.Single(errors);
    }

    [Fact]
    public void LoopWithoutAWaitIsAnError()
    {
        var errors = Validate("a", """
            {"id": "a", "type": "updateContact", "incrementAttributes": {"score": 1}, "next": "b"},
            {"id": "b", "type": "condition", "if": {"attribute": "attributes.score", "op": "lt", "value": 10}, "then": "a", "else": "c"},
            {"id": "c", "type": "end"}
            """);

        AssertError(errors, "$.steps[0]");
        Assert.Contains(errors["$.steps[0]"], m => m.Contains("loop", StringComparison.Ordinal));
    }

    [Fact]
    public void LoopThroughAWaitIsValid()
    {
        AssertValid(Validate("a", """
            {"id": "a", "type": "sendEmail", "contentId": "welcome-email", "next": "w"},
            {"id": "w", "type": "wait", "duration": "P7D", "next": "a"}
            """));
    }

    [Fact]
    public void LoopThroughAWaitForEventIsValid()
    {
        AssertValid(Validate("a", """
            {"id": "a", "type": "sendEmail", "contentId": "welcome-email", "next": "w"},
            {"id": "w", "type": "waitForEvent", "event": "link.clicked", "timeout": "P7D", "next": "a", "onTimeout": "a"}
            """));
    }

    [Fact]
    public void UnknownContentIdIsAnErrorAtContentId()
    {
        var errors = Validate("a", """
            {"id": "a", "type": "wait", "duration": "P1D", "next": "b"},
            {"id": "b", "type": "sendEmail", "contentId": "missing-email"}
            """);

        AssertError(errors, "$.steps[1].contentId");
    }

    [Fact]
    public void ContentOfTheWrongChannelIsAnErrorAtContentId()
    {
        var errors = Validate("a", """{"id": "a", "type": "sendSms", "contentId": "welcome-email"}""");

        AssertError(errors, "$.steps[0].contentId");
        Assert.Contains(errors["$.steps[0].contentId"], m => m.Contains("email", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownMoveToFlowIsAnErrorAtFlowId()
    {
        var errors = Validate("a", """
            {"id": "a", "type": "sendEmail", "contentId": "welcome-email", "next": "b"},
            {"id": "b", "type": "moveToFlow", "flowId": "no-such-flow"}
            """);

        AssertError(errors, "$.steps[1].flowId");
    }

    [Fact]
    public void KnownMoveToFlowIsValid()
    {
        AssertValid(Validate("a", """{"id": "a", "type": "moveToFlow", "flowId": "vip-flow"}"""));
    }

    [Fact]
    public void UnknownSuccessMoveToIsAnError()
    {
        var errors = Validate("a", """{"id": "a", "type": "end"}""", """ "success": {"when": {"event": "sale.created"}, "moveTo": "no-such-flow"}, """);

        AssertError(errors, "$.success.moveTo");
    }

    [Fact]
    public void SplitPercentsNotSummingToAHundredIsAnError()
    {
        var errors = Validate("s", """
            {"id": "s", "type": "split", "branches": [{"percent": 50, "next": "a"}, {"percent": 40, "next": "a"}]},
            {"id": "a", "type": "end"}
            """);

        AssertError(errors, "$.steps[0].branches");
    }

    [Fact]
    public void SplitPercentsSummingToAHundredAreValid()
    {
        AssertValid(Validate("s", """
            {"id": "s", "type": "split", "branches": [{"percent": 30, "next": "a"}, {"percent": 70}]},
            {"id": "a", "type": "end"}
            """));
    }

    [Fact]
    public void WaitWithoutDurationUntilOrUntilTimeIsAnError()
    {
        var errors = Validate("a", """{"id": "a", "type": "wait"}""");

        AssertError(errors, "$.steps[0]");
    }

    [Fact]
    public void WaitWithTwoOfDurationUntilAndUntilTimeIsAnError()
    {
        var errors = Validate("a", """{"id": "a", "type": "wait", "duration": "P1D", "untilTime": "09:00"}""");

        AssertError(errors, "$.steps[0]");
    }

    [Fact]
    public void WaitWithUntilTimeAloneIsValid()
    {
        AssertValid(Validate("a", """{"id": "a", "type": "wait", "untilTime": "09:00"}"""));
    }

    [Fact]
    public void WaitOfZeroDurationIsAnErrorAtDuration()
    {
        var errors = Validate("a", """{"id": "a", "type": "wait", "duration": "PT0S"}""");

        AssertError(errors, "$.steps[0].duration");
    }

    [Fact]
    public void WaitOfNegativeDurationIsAnErrorAtDuration()
    {
        var definition = new FlowDefinition
        {
            Name = "Negative",
            StartStepId = "a",
            Steps = [new WaitStep { Id = "a", Duration = TimeSpan.FromDays(-1) }],
        };

        AssertError(Validate(definition), "$.steps[0].duration");
    }

    [Fact]
    public void UnknownScheduleTimeZoneIsAnError()
    {
        var errors = Validate("a", """{"id": "a", "type": "end"}""", """ "schedule": {"timeZone": "Mars/Olympus"}, """);

        AssertError(errors, "$.schedule.timeZone");
    }

    [Fact]
    public void StartStepIdNamingNoStepIsAnError()
    {
        var errors = Validate("nowhere", """{"id": "a", "type": "end"}""");

        AssertError(errors, "$.startStepId");
    }

    [Fact]
    public void WebhookToAHostNotAllowedIsAnErrorAtUrl()
    {
        var references = References(new HashSet<string> { "hooks.example.com" });

        var errors = Validate("a", """{"id": "a", "type": "webhook", "url": "https://evil.example.net/steal"}""", references: references);

        AssertError(errors, "$.steps[0].url");
    }

    [Fact]
    public void WebhookToAnAllowedHostIsValid()
    {
        var references = References(new HashSet<string> { "hooks.example.com" });

        AssertValid(Validate("a", """{"id": "a", "type": "webhook", "url": "https://hooks.example.com/lead"}""", references: references));
    }

    [Fact]
    public void WebhookToAnyHostIsValidWhenNoHostsAreConfigured()
    {
        AssertValid(Validate("a", """{"id": "a", "type": "webhook", "url": "https://anywhere.example.org/x"}"""));
    }

    [Fact]
    public void InWithANonArrayValueIsAnErrorAtValue()
    {
        var errors = Validate("a", """{"id": "a", "type": "end"}""", """ "filter": {"attribute": "attributes.category", "op": "in", "value": "customer"}, """);

        AssertError(errors, "$.filter.value");
    }

    [Fact]
    public void NotInWithANonArrayValueInAStepConditionIsAnErrorAtValue()
    {
        var errors = Validate("c", """
            {"id": "c", "type": "condition", "if": {"all": [{"attribute": "tags", "op": "notIn", "value": 3}]}, "then": "d"},
            {"id": "d", "type": "end"}
            """);

        AssertError(errors, "$.steps[0].if.all[0].value");
    }

    [Fact]
    public void PropertyConditionOutsideAnEventWhereIsAnError()
    {
        var errors = Validate("a", """{"id": "a", "type": "end"}""", """ "filter": {"property": "url", "op": "exists"}, """);

        AssertError(errors, "$.filter.property");
    }

    [Fact]
    public void PropertyConditionInsideAnEventWhereIsValid()
    {
        AssertValid(Validate("a", """{"id": "a", "type": "end"}""",
            """ "filter": {"event": "link.clicked", "where": {"property": "url", "op": "contains", "value": "offer"}}, """));
    }

    [Fact]
    public void UnknownContactFieldIsAnError()
    {
        var errors = Validate("a", """{"id": "a", "type": "end"}""", """ "filter": {"attribute": "shoeSize", "op": "eq", "value": 42}, """);

        AssertError(errors, "$.filter.attribute");
    }

    [Fact]
    public void EventConditionNamingAnUnknownStepIsAnError()
    {
        var errors = Validate("c", """
            {"id": "c", "type": "condition", "if": {"event": "email.opened", "stepId": "ghost"}, "then": "d"},
            {"id": "d", "type": "end"}
            """);

        AssertError(errors, "$.steps[0].if.stepId");
    }

    [Fact]
    public void EmptyNameIsAnError()
    {
        var errors = Validate(Flow("a", """{"id": "a", "type": "end"}""") with { Name = " " });

        AssertError(errors, "$.name");
    }
}
