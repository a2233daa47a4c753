using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;
using Orleans.Flows.Values;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

/// <summary>Conditions as a condition step evaluates them: "then" when true, "else" when false.</summary>
public class ConditionTests
{
    private static string Branch(string condition, Contact? contact = null, params ContactEvent[] events)
    {
        var flow = Flow("check", $$"""
            {"id": "check", "type": "condition", "if": {{condition}}, "then": "yes", "else": "no"},
            {"id": "yes", "type": "end"},
            {"id": "no", "type": "end"}
            """);
        var result = Enroll(flow, contact ?? Contact(), events);
        var entry = Assert.Single(result.State.History, h => h.StepId == "check");
        Assert.Equal(entry.Outcome == "then" ? "yes" : "no", entry.Next);
        return entry.Outcome;
    }

    [Theory]
    [InlineData("""{"attribute": "attributes.category", "op": "eq", "value": "customer"}""", "then")]
    [InlineData("""{"attribute": "attributes.category", "op": "eq", "value": "CUSTOMER"}""", "then")]
    [InlineData("""{"attribute": "attributes.category", "op": "eq", "value": "lead"}""", "else")]
    [InlineData("""{"attribute": "firstName", "op": "eq", "value": "Ada"}""", "then")]
    [InlineData("""{"attribute": "lastName", "op": "eq", "value": "Byron"}""", "else")]
    public void EqComparesValues(string condition, string expected) => Assert.Equal(expected, Branch(condition));

    [Theory]
    [InlineData("""{"attribute": "attributes.category", "op": "ne", "value": "lead"}""", "then")]
    [InlineData("""{"attribute": "attributes.category", "op": "ne", "value": "customer"}""", "else")]
    public void NeIsTheOppositeOfEq(string condition, string expected) => Assert.Equal(expected, Branch(condition));

    [Theory]
    [InlineData("""{"attribute": "attributes.category", "op": "in", "value": ["lead", "customer"]}""", "then")]
    [InlineData("""{"attribute": "attributes.category", "op": "in", "value": ["lead", "partner"]}""", "else")]
    public void InMatchesAnyListedValue(string condition, string expected) => Assert.Equal(expected, Branch(condition));

    [Theory]
    [InlineData("""{"attribute": "attributes.category", "op": "notIn", "value": ["lead", "partner"]}""", "then")]
    [InlineData("""{"attribute": "attributes.category", "op": "notIn", "value": ["customer"]}""", "else")]
    public void NotInMatchesNoListedValue(string condition, string expected) => Assert.Equal(expected, Branch(condition));

    [Theory]
    [InlineData("""{"attribute": "email", "op": "contains", "value": "example"}""", "then")]
    [InlineData("""{"attribute": "email", "op": "contains", "value": "gmail"}""", "else")]
    public void ContainsMatchesASubstring(string condition, string expected) => Assert.Equal(expected, Branch(condition));

    [Theory]
    [InlineData("""{"attribute": "company", "op": "startsWith", "value": "acme"}""", "then")]
    [InlineData("""{"attribute": "company", "op": "startsWith", "value": "AS"}""", "else")]
    public void StartsWithMatchesAPrefix(string condition, string expected) => Assert.Equal(expected, Branch(condition));

    [Theory]
    [InlineData("""{"attribute": "attributes.plan", "op": "exists"}""", "then")]
    [InlineData("""{"attribute": "attributes.missing", "op": "exists"}""", "else")]
    [InlineData("""{"attribute": "timeZone", "op": "exists"}""", "else")]
    public void ExistsIsTrueForAPresentValue(string condition, string expected) => Assert.Equal(expected, Branch(condition));

    [Theory]
    [InlineData("""{"attribute": "attributes.missing", "op": "notExists"}""", "then")]
    [InlineData("""{"attribute": "email", "op": "notExists"}""", "else")]
    public void NotExistsIsTrueForAMissingValue(string condition, string expected) => Assert.Equal(expected, Branch(condition));

    [Theory]
    [InlineData("gt", 41, "then")]
    [InlineData("gt", 42, "else")]
    [InlineData("gte", 42, "then")]
    [InlineData("gte", 43, "else")]
    [InlineData("lt", 43, "then")]
    [InlineData("lt", 42, "else")]
    [InlineData("lte", 42, "then")]
    [InlineData("lte", 41, "else")]
    public void OrderingOpsCompareNumbers(string op, int value, string expected) =>
        Assert.Equal(expected, Branch($$"""{"attribute": "attributes.score", "op": "{{op}}", "value": {{value}}}"""));

    [Theory]
    // ISO 8601 texts compare as instants: an offset counts, and a date alone is its midnight UTC.
    [InlineData("2026-03-01T10:00:00+02:00", "gt", "2026-03-01T09:00:00Z", "else")]
    [InlineData("2026-03-01T10:00:00+02:00", "lt", "2026-03-01T09:00:00Z", "then")]
    [InlineData("2026-03-01", "lt", "2026-03-01T00:00:01Z", "then")]
    // Anything else compares as text, so that a condition means the same on every day of the year: a lenient
    // parser would read "12/1" and "3/2" as dates of the current year (December before March: false).
    [InlineData("3/2", "gt", "12/1", "then")]
    [InlineData("10:00", "lt", "9:00", "then")]
    public void OrderingOpsCompareIsoTimestampsAsInstantsAndOtherTextAsText(string actual, string op, string value, string expected) =>
        Assert.Equal(expected, Branch($$"""{"attribute": "attributes.when", "op": "{{op}}", "value": "{{value}}"}""",
            Contact() with { Attributes = Contact().Attributes.SetItem("when", Orleans.Flows.Values.FieldValue.Of(actual)) }));

    [Fact]
    public void OrderingComparesNumbersNumericallyNotAsText()
    {
        // As text "9" > "10"; as numbers 9 < 10.
        var contact = Contact() with { Attributes = Contact().Attributes.SetItem("score", FieldValue.Of(9)) };

        Assert.Equal("then", Branch("""{"attribute": "attributes.score", "op": "lt", "value": 10}""", contact));
    }

    [Theory]
    [InlineData("""{"attribute": "tags", "op": "contains", "value": "vip"}""", "then")]
    [InlineData("""{"attribute": "tags", "op": "eq", "value": "newsletter"}""", "then")]
    [InlineData("""{"attribute": "tags", "op": "contains", "value": "gold"}""", "else")]
    [InlineData("""{"attribute": "tags", "op": "in", "value": ["gold", "vip"]}""", "then")]
    [InlineData("""{"attribute": "tags", "op": "notIn", "value": ["vip"]}""", "else")]
    [InlineData("""{"attribute": "tags", "op": "notIn", "value": ["gold"]}""", "then")]
    public void TagConditionsMatchWhenATagMatches(string condition, string expected) => Assert.Equal(expected, Branch(condition));

    [Fact]
    public void TagsExistOnlyWhenTheContactHasTags()
    {
        Assert.Equal("then", Branch("""{"attribute": "tags", "op": "exists"}"""));
        Assert.Equal("else", Branch("""{"attribute": "tags", "op": "exists"}""", Contact() with { Tags = [] }));
    }

    [Theory]
    [InlineData("""{"all": [{"attribute": "tags", "op": "contains", "value": "vip"}, {"attribute": "attributes.plan", "op": "eq", "value": "pro"}]}""", "then")]
    [InlineData("""{"all": [{"attribute": "tags", "op": "contains", "value": "vip"}, {"attribute": "attributes.plan", "op": "eq", "value": "free"}]}""", "else")]
    public void AllNeedsEveryCondition(string condition, string expected) => Assert.Equal(expected, Branch(condition));

    [Theory]
    [InlineData("""{"any": [{"attribute": "tags", "op": "contains", "value": "gold"}, {"attribute": "attributes.plan", "op": "eq", "value": "pro"}]}""", "then")]
    [InlineData("""{"any": [{"attribute": "tags", "op": "contains", "value": "gold"}, {"attribute": "attributes.plan", "op": "eq", "value": "free"}]}""", "else")]
    public void AnyNeedsOneCondition(string condition, string expected) => Assert.Equal(expected, Branch(condition));

    [Theory]
    [InlineData("""{"not": {"attribute": "attributes.plan", "op": "eq", "value": "pro"}}""", "else")]
    [InlineData("""{"not": {"attribute": "attributes.plan", "op": "eq", "value": "free"}}""", "then")]
    public void NotNegates(string condition, string expected) => Assert.Equal(expected, Branch(condition));

    [Fact]
    public void EventWithinThePeriodMatches()
    {
        Assert.Equal("then", Branch("""{"event": "form.submitted", "within": "P7D"}""", null, Event("form.submitted", Now.AddDays(-3))));
    }

    [Fact]
    public void EventOlderThanThePeriodDoesNotMatch()
    {
        Assert.Equal("else", Branch("""{"event": "form.submitted", "within": "P2D"}""", null, Event("form.submitted", Now.AddDays(-3))));
    }

    [Fact]
    public void EventOfAnotherTypeDoesNotMatch()
    {
        Assert.Equal("else", Branch("""{"event": "form.submitted"}""", null, Event("page.viewed", Now.AddHours(-1))));
    }

    [Fact]
    public void EventWhereChecksTheEventsProperties()
    {
        var evt = Event("link.clicked", Now.AddHours(-1), "url", FieldValue.Of("https://example.com/offer"));

        Assert.Equal("then", Branch("""{"event": "link.clicked", "where": {"property": "url", "op": "contains", "value": "offer"}}""", null, evt));
        Assert.Equal("else", Branch("""{"event": "link.clicked", "where": {"property": "url", "op": "contains", "value": "pricing"}}""", null, evt));
    }

    [Fact]
    public void PropertyConditionOutsideAnEventIsFalse()
    {
        Assert.Equal("else", Branch("""{"property": "url", "op": "exists"}"""));
    }

    /// <summary>Send "welcome", wait two days, then ask whether the email was opened after that send.</summary>
    private static FlowDefinition OpenedFlow() => Flow("welcome", """
        {"id": "welcome", "type": "sendEmail", "contentId": "welcome-email", "next": "pause"},
        {"id": "pause", "type": "wait", "duration": "P2D", "next": "opened"},
        {"id": "opened", "type": "condition", "if": {"event": "email.opened", "stepId": "welcome"}, "then": "yes", "else": "no"},
        {"id": "yes", "type": "end"},
        {"id": "no", "type": "end"}
        """);

    private static string OpenedOutcome(params ContactEvent[] events)
    {
        var flow = Context(OpenedFlow());
        var waiting = Enroll(flow, Contact(), Now).State;
        var result = Wake(flow, waiting, Contact(), Now.AddDays(2), events);
        return Assert.Single(result.State.History, h => h.StepId == "opened").Outcome;
    }

    [Fact]
    public void EventAfterTheNamedStepRanMatches()
    {
        Assert.Equal("then", OpenedOutcome(Event("email.opened", Now.AddHours(1))));
    }

    [Fact]
    public void EventBeforeTheNamedStepRanDoesNotMatch()
    {
        Assert.Equal("else", OpenedOutcome(Event("email.opened", Now.AddHours(-1))));
    }

    [Fact]
    public void EventConditionOnAStepThatNeverRanIsFalse()
    {
        var flow = Flow("check", """
            {"id": "check", "type": "condition", "if": {"event": "email.opened", "stepId": "later"}, "then": "yes", "else": "later"},
            {"id": "later", "type": "sendEmail", "contentId": "welcome-email", "next": "yes"},
            {"id": "yes", "type": "end"}
            """);

        var result = Enroll(flow, Contact(), Event("email.opened", Now.AddHours(-1)));

        Assert.Equal("else", Assert.Single(result.State.History, h => h.StepId == "check").Outcome);
    }

    [Fact]
    public void EventInTheFutureDoesNotMatch()
    {
        Assert.Equal("else", Branch("""{"event": "form.submitted"}""", null, Event("form.submitted", Now.AddHours(1))));
    }
}
