using System.Text.Json;
using Orleans.Flows.Flows;
using Orleans.Flows.Values;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

public class FlowJsonTests
{
    private static JsonException ParseFails(string json) => Assert.Throws<JsonException>(() => Parse(json));

    [Fact]
    public void ExampleDefinitionReadsIntoTheModel()
    {
        var definition = Example();

        Assert.Equal("Welcome new customers", definition.Name);
        Assert.IsType<ManualTrigger>(definition.Trigger);
        Assert.Equal(ReentryMode.Never, definition.Reentry.Mode);
        Assert.Equal(SuccessAction.Stop, definition.Success?.Then);
        Assert.Null(definition.Success?.MoveTo);
        Assert.Equal("Europe/Oslo", definition.Schedule?.TimeZone);
        Assert.Equal(new TimeOnly(9, 0), definition.Schedule?.SendWindow?.From);
        Assert.Equal([Weekday.Mon, Weekday.Tue, Weekday.Wed, Weekday.Thu, Weekday.Fri], definition.Schedule?.SendWindow?.Days.ToArray());
        Assert.Equal(
            ["sendEmail", "wait", "condition", "sendSms", "waitForEvent", "updateContact", "createActivity", "end"],
            definition.Steps.Select(s => s.Type));
    }

    [Fact]
    public void ExampleStepsReadTheirProperties()
    {
        var definition = Example();

        Assert.Equal(TimeSpan.FromDays(2), Assert.IsType<WaitStep>(definition.FindStep("pause")).Duration);
        var opened = Assert.IsType<EventCondition>(Assert.IsType<ConditionStep>(definition.FindStep("opened")).If);
        Assert.Equal("email.opened", opened.Event);
        Assert.Equal("welcome", opened.StepId);
        var offer = Assert.IsType<WaitForEventStep>(definition.FindStep("offer"));
        Assert.Equal(TimeSpan.FromDays(7), offer.Timeout);
        Assert.Equal("done", offer.OnTimeout);
        var lead = Assert.IsType<UpdateContactStep>(definition.FindStep("lead"));
        Assert.Equal(FieldValue.Of("lead"), lead.SetAttributes["category"]);
        Assert.Equal(["warm"], lead.AddTags.ToArray());
        Assert.Equal(ActivityKind.FollowUp, Assert.IsType<CreateActivityStep>(definition.FindStep("call")).Kind);
        var filter = Assert.IsType<AttributeCondition>(definition.Filter);
        Assert.Equal(("attributes.category", ConditionOp.Eq, FieldValue.Of("customer")), (filter.Attribute, filter.Op, filter.Value));
    }

    [Fact]
    public void ReentryAfterReadsAPeriod()
    {
        var definition = Flow("a", """{"id": "a", "type": "end"}""", """ "reentry": {"after": "P30D"}, """);

        Assert.Equal(ReentryMode.After, definition.Reentry.Mode);
        Assert.Equal(TimeSpan.FromDays(30), definition.Reentry.After);
    }

    [Fact]
    public void UnknownStepTypeThrowsWithThePathOfTheStep()
    {
        var error = ParseFails("""{"name": "x", "startStepId": "a", "steps": [{"id": "a", "type": "teleport"}]}""");

        Assert.StartsWith("$.steps[0]", JsonErrors.PathOf(error));
    }

    [Fact]
    public void WrongValueTypeThrowsWithThePathOfTheStep()
    {
        var error = ParseFails("""
            {"name": "x", "startStepId": "a", "steps": [
              {"id": "a", "type": "sendEmail", "contentId": "welcome-email", "next": "b"},
              {"id": "b", "type": "wait", "duration": 5}
            ]}
            """);

        Assert.Contains("steps[1]", JsonErrors.PathOf(error));
    }

    [Fact]
    public void WrongValueTypeNamesTheFailingProperty()
    {
        var error = ParseFails("""
            {"name": "x", "startStepId": "a", "steps": [
              {"id": "a", "type": "sendEmail", "contentId": "welcome-email", "next": "b"},
              {"id": "b", "type": "wait", "duration": 5}
            ]}
            """);

        Assert.Equal("$.steps[1].duration", JsonErrors.PathOf(error));
    }

    [Fact]
    public void ErrorInANestedConditionHasAPathFromTheFilter()
    {
        var error = ParseFails("""{"filter": {"all": [{"attribute": "email", "op": "bogus", "value": 1}]}}""");

        var path = JsonErrors.PathOf(error);
        Assert.StartsWith("$.filter", path);
        Assert.Contains("all[0]", path);
    }

    [Fact]
    public void ErrorInAStepConditionHasAPathFromThatStep()
    {
        var error = ParseFails("""
            {"name": "x", "startStepId": "c", "steps": [
              {"id": "c", "type": "condition", "if": {"any": [{"attribute": "email", "op": "exists"}, {"not": {"event": 7}}]}, "then": "c"}
            ]}
            """);

        Assert.StartsWith("$.steps[0].if", JsonErrors.PathOf(error));
    }

    [Fact]
    public void ConditionWithoutAKnownKeyThrows()
    {
        ParseFails("""{"name": "x", "filter": {"field": "email"}, "startStepId": "a", "steps": [{"id": "a", "type": "end"}]}""");
    }

    [Fact]
    public void ConditionWithTwoKindsThrows()
    {
        ParseFails("""{"name": "x", "filter": {"attribute": "email", "event": "x", "op": "exists"}, "startStepId": "a", "steps": [{"id": "a", "type": "end"}]}""");
    }

    [Fact]
    public void DurationWithMonthsIsRefused()
    {
        Assert.False(FlowJson.TryParseDuration("P1M", out _));
        Assert.True(FlowJson.TryParseDuration("PT1M", out var minute));
        Assert.Equal(TimeSpan.FromMinutes(1), minute);
    }

    [Fact]
    public void ExampleDefinitionSurvivesARoundTrip()
    {
        var definition = Example();

        var json = JsonSerializer.Serialize(definition, Json);
        var again = JsonSerializer.Deserialize<FlowDefinition>(json, Json)!;

        Assert.Equal(JsonSerializer.Serialize(definition.Steps, Json), JsonSerializer.Serialize(again.Steps, Json));
        Assert.Equal(json, JsonSerializer.Serialize(again, Json));
    }

    [Fact]
    public void SerializedStepsUseTheApiShape()
    {
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(Example(), Json));
        var steps = document.RootElement.GetProperty("steps");

        Assert.Equal("sendEmail", steps[0].GetProperty("type").GetString());
        Assert.Equal("P2D", steps[1].GetProperty("duration").GetString());
        Assert.Equal("email.opened", steps[2].GetProperty("if").GetProperty("event").GetString());
        Assert.Equal("followUp", steps[6].GetProperty("kind").GetString());
        Assert.Equal("never", document.RootElement.GetProperty("reentry").GetString());
        Assert.Equal("09:00", document.RootElement.GetProperty("schedule").GetProperty("sendWindow").GetProperty("from").GetString());
    }

    [Fact]
    public void FlowJsonOptionsReadTheExampleDefinition()
    {
        var definition = JsonSerializer.Deserialize<FlowDefinition>(ExampleJson, FlowJson.Options);

        Assert.Equal(8, definition?.Steps.Length);
    }

    [Fact]
    public void FlowJsonOptionsRoundTripTheExampleDefinition()
    {
        var definition = JsonSerializer.Deserialize<FlowDefinition>(ExampleJson, FlowJson.Options)!;

        var json = JsonSerializer.Serialize(definition, FlowJson.Options);
        var again = JsonSerializer.Deserialize<FlowDefinition>(json, FlowJson.Options)!;

        Assert.Equal(JsonSerializer.Serialize(definition.Steps, FlowJson.Options), JsonSerializer.Serialize(again.Steps, FlowJson.Options));
    }

    [Fact]
    public void FlowJsonOptionsWriteStepsWithoutComputedProperties()
    {
        var step = new SendEmailStep { Id = "welcome", ContentId = "welcome-email", Next = "pause" };

        using var document = JsonDocument.Parse(JsonSerializer.Serialize<Step>(step, FlowJson.Options));

        var names = document.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["contentId", "id", "next", "type"], names);
    }

    [Fact]
    public void FlowJsonOptionsReportAnUnknownStepTypeAsAJsonException()
    {
        var error = Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize<FlowDefinition>("""{"name": "x", "startStepId": "a", "steps": [{"id": "a", "type": "teleport"}]}""", FlowJson.Options));

        Assert.StartsWith("$.steps[0]", JsonErrors.PathOf(error));
    }
}
