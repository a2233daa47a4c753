using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Values;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

public class UpdateContactTests
{
    private static FlowDefinition LeadFlow() => Flow("lead", """
        {"id": "lead", "type": "updateContact",
         "setAttributes": {"category": "lead"}, "incrementAttributes": {"score": 5, "visits": 1},
         "addTags": ["warm"], "removeTags": ["newsletter"], "next": "check"},
        {"id": "check", "type": "condition",
         "if": {"all": [
           {"attribute": "attributes.category", "op": "eq", "value": "lead"},
           {"attribute": "attributes.score", "op": "eq", "value": 47},
           {"attribute": "tags", "op": "contains", "value": "warm"},
           {"not": {"attribute": "tags", "op": "contains", "value": "newsletter"}}]},
         "then": "yes", "else": "no"},
        {"id": "yes", "type": "end"},
        {"id": "no", "type": "end"}
        """);

    [Fact]
    public void UpdateContactProducesAnUpdateContactAction()
    {
        var result = Enroll(LeadFlow(), Contact());

        var update = Assert.IsType<UpdateContact>(Assert.Single(result.Actions));
        Assert.Equal(MessageIds.For(FlowId, ContactId, 1, "lead", 1), update.OperationId);
        Assert.Equal(FieldValue.Of("lead"), update.Update.SetAttributes["category"]);
        Assert.Equal(5, update.Update.IncrementAttributes["score"]);
        Assert.Equal(["warm"], update.Update.AddTags.ToArray());
        Assert.Equal(["newsletter"], update.Update.RemoveTags.ToArray());
    }

    [Fact]
    public void UpdateContactSetsAttributesOnTheResultContact()
    {
        var contact = Enroll(LeadFlow(), Contact()).Contact;

        Assert.Equal(FieldValue.Of("lead"), contact.Attributes["category"]);
        Assert.Equal(FieldValue.Of("pro"), contact.Attributes["plan"]);
    }

    [Fact]
    public void UpdateContactIncrementsNumbersAndStartsMissingOnesAtZero()
    {
        var contact = Enroll(LeadFlow(), Contact()).Contact;

        Assert.Equal(47, contact.Attributes["score"].AsNumber());
        Assert.Equal(1, contact.Attributes["visits"].AsNumber());
    }

    [Fact]
    public void UpdateContactAddsAndRemovesTags()
    {
        var contact = Enroll(LeadFlow(), Contact()).Contact;

        Assert.Equal(["vip", "warm"], contact.Tags.Order());
    }

    [Fact]
    public void UpdateContactStampsTheContactAsUpdatedNow()
    {
        Assert.Equal(Now, Enroll(LeadFlow(), Contact()).Contact.UpdatedAt);
    }

    [Fact]
    public void ConditionAfterUpdateContactSeesTheNewValuesInTheSameRun()
    {
        var result = Enroll(LeadFlow(), Contact());

        Assert.Equal("then", result.State.History.Single(h => h.StepId == "check").Outcome);
    }

    [Fact]
    public void AddingATagTheContactHasKeepsItOnce()
    {
        var flow = Flow("tag", """{"id": "tag", "type": "updateContact", "addTags": ["vip"]}""");

        var contact = Enroll(flow, Contact()).Contact;

        Assert.Single(contact.Tags, "vip");
    }
}
