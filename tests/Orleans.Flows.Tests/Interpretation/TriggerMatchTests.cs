using System.Collections.Immutable;
using System.Text.Json;
using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;
using Orleans.Flows.Values;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

/// <summary>Which events start a flow: <see cref="FlowTriggerIndex.IsStartedBy"/>.</summary>
public class TriggerMatchTests
{
    private static Trigger Trigger(string json) =>
        JsonSerializer.Deserialize<Trigger>(json, Json) ?? throw new InvalidOperationException("null trigger");

    private static Trigger EventTrigger(string where) =>
        Trigger($$"""{"type": "event", "event": "form.submitted", "where": {{where}}}""");

    private static ContactEvent Form(params (string Name, FieldValue Value)[] properties) => Event("form.submitted", Now) with
    {
        Properties = properties.Aggregate(ImmutableSortedDictionary<string, FieldValue>.Empty, (d, p) => d.Add(p.Name, p.Value)),
    };

    private static ContactEvent SelectionAdded(string segmentId) =>
        Event(WellKnownEvents.SelectionAdded, Now, "segmentId", FieldValue.Of(segmentId));

    private static bool StartedBy(Trigger trigger, ContactEvent e) => FlowTriggerIndex.IsStartedBy(trigger, e);

    [Fact]
    public void EventTriggerIsStartedByItsEventType()
    {
        var trigger = Trigger("""{"type": "event", "event": "form.submitted"}""");

        Assert.True(StartedBy(trigger, Form()));
    }

    [Fact]
    public void EventTriggerIsNotStartedByAnotherEventType()
    {
        var trigger = Trigger("""{"type": "event", "event": "form.submitted"}""");

        Assert.False(StartedBy(trigger, Event("link.clicked", Now)));
    }

    [Fact]
    public void EventTriggerMatchesTheTypeExactly()
    {
        var trigger = Trigger("""{"type": "event", "event": "form.submitted"}""");

        Assert.False(StartedBy(trigger, Event("Form.Submitted", Now)));
    }

    [Fact]
    public void WhereWithEqMatchesAnEqualProperty()
    {
        var trigger = EventTrigger("""{"property": "form", "op": "eq", "value": "demo"}""");

        Assert.True(StartedBy(trigger, Form(("form", FieldValue.Of("demo")))));
    }

    [Fact]
    public void WhereWithEqDoesNotMatchAnotherValue()
    {
        var trigger = EventTrigger("""{"property": "form", "op": "eq", "value": "demo"}""");

        Assert.False(StartedBy(trigger, Form(("form", FieldValue.Of("newsletter")))));
    }

    [Fact]
    public void WhereDoesNotMatchAnEventWithoutTheProperty()
    {
        var trigger = EventTrigger("""{"property": "form", "op": "eq", "value": "demo"}""");

        Assert.False(StartedBy(trigger, Form()));
    }

    [Fact]
    public void WhereWithInMatchesOneOfTheValues()
    {
        var trigger = EventTrigger("""{"property": "form", "op": "in", "value": ["demo", "trial"]}""");

        Assert.True(StartedBy(trigger, Form(("form", FieldValue.Of("trial")))));
    }

    [Fact]
    public void WhereWithInDoesNotMatchAValueNotListed()
    {
        var trigger = EventTrigger("""{"property": "form", "op": "in", "value": ["demo", "trial"]}""");

        Assert.False(StartedBy(trigger, Form(("form", FieldValue.Of("newsletter")))));
    }

    [Fact]
    public void WhereWithExistsMatchesAnEventWithTheProperty()
    {
        var trigger = EventTrigger("""{"property": "campaign", "op": "exists"}""");

        Assert.True(StartedBy(trigger, Form(("campaign", FieldValue.Of("spring")))));
    }

    [Fact]
    public void WhereWithExistsDoesNotMatchAnEventWithoutTheProperty()
    {
        var trigger = EventTrigger("""{"property": "campaign", "op": "exists"}""");

        Assert.False(StartedBy(trigger, Form(("form", FieldValue.Of("demo")))));
    }

    [Fact]
    public void WhereWithGtMatchesALargerNumber()
    {
        var trigger = EventTrigger("""{"property": "employees", "op": "gt", "value": 50}""");

        Assert.True(StartedBy(trigger, Form(("employees", FieldValue.Of(51)))));
    }

    [Theory]
    [InlineData(50)]
    [InlineData(9)]
    public void WhereWithGtDoesNotMatchAnEqualOrSmallerNumber(double employees)
    {
        var trigger = EventTrigger("""{"property": "employees", "op": "gt", "value": 50}""");

        Assert.False(StartedBy(trigger, Form(("employees", FieldValue.Of(employees)))));
    }

    [Fact]
    public void WhereWithGtComparesNumbersAsNumbersNotAsText()
    {
        var trigger = EventTrigger("""{"property": "employees", "op": "gt", "value": 9}""");

        Assert.True(StartedBy(trigger, Form(("employees", FieldValue.Of(10)))));
    }

    [Fact]
    public void WhereWithAllNeedsEveryPart()
    {
        var trigger = EventTrigger("""{"all": [{"property": "form", "op": "eq", "value": "demo"}, {"property": "employees", "op": "gte", "value": 10}]}""");

        Assert.True(StartedBy(trigger, Form(("form", FieldValue.Of("demo")), ("employees", FieldValue.Of(10)))));
        Assert.False(StartedBy(trigger, Form(("form", FieldValue.Of("demo")), ("employees", FieldValue.Of(9)))));
    }

    [Fact]
    public void WhereOfTheRightTypeDoesNotStartOnAnotherEventType()
    {
        var trigger = EventTrigger("""{"property": "form", "op": "eq", "value": "demo"}""");

        Assert.False(StartedBy(trigger, Event("link.clicked", Now, "form", FieldValue.Of("demo"))));
    }

    [Fact]
    public void SegmentTriggerIsStartedByAnAdditionToOneOfItsSegments()
    {
        var trigger = Trigger("""{"type": "segment", "segmentIds": ["vip", "trial"]}""");

        Assert.True(StartedBy(trigger, SelectionAdded("trial")));
    }

    [Fact]
    public void SegmentTriggerIsNotStartedByAnAdditionToAnotherSegment()
    {
        var trigger = Trigger("""{"type": "segment", "segmentIds": ["vip", "trial"]}""");

        Assert.False(StartedBy(trigger, SelectionAdded("newsletter")));
    }

    [Fact]
    public void SegmentTriggerIsNotStartedBySelectionAddedWithoutASegmentId()
    {
        var trigger = Trigger("""{"type": "segment", "segmentIds": ["vip"]}""");

        Assert.False(StartedBy(trigger, Event(WellKnownEvents.SelectionAdded, Now)));
    }

    [Fact]
    public void SegmentTriggerIsNotStartedByAnotherEventNamingItsSegment()
    {
        var trigger = Trigger("""{"type": "segment", "segmentIds": ["vip"]}""");

        Assert.False(StartedBy(trigger, Event("form.submitted", Now, "segmentId", FieldValue.Of("vip"))));
    }

    [Fact]
    public void ManualTriggerIsNeverStartedByAnEvent()
    {
        var trigger = Trigger("""{"type": "manual"}""");

        Assert.False(StartedBy(trigger, Form()));
        Assert.False(StartedBy(trigger, SelectionAdded("vip")));
    }

    [Fact]
    public void TriggerOfTheApiExampleIsManual()
    {
        Assert.False(StartedBy(Example().Trigger, Event("sale.created", Now)));
    }
}
