using Orleans.Flows.Flows;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

public class SplitTests
{
    private static FlowDefinition HalfAndHalf() => Flow("ab", """
        {"id": "ab", "type": "split", "branches": [{"percent": 50, "next": "a"}, {"percent": 50, "next": "b"}]},
        {"id": "a", "type": "end"},
        {"id": "b", "type": "end"}
        """);

    private static string BranchOf(FlowDefinition flow, string contactId) =>
        Enroll(Context(flow), Contact(contactId), Now).State.History.Single(h => h.StepId == "ab").Next!;

    [Fact]
    public void SplitSendsTheSameParticipantDownTheSameBranchEveryTime()
    {
        var flow = HalfAndHalf();

        var branches = Enumerable.Range(0, 5).Select(_ => BranchOf(flow, "c-42")).Distinct();

        Assert.Single(branches);
    }

    [Fact]
    public void SplitOfFiftyFiftyDividesContactsRoughlyEvenly()
    {
        var flow = HalfAndHalf();

        var toA = Enumerable.Range(0, 2000).Count(i => BranchOf(flow, $"contact-{i}") == "a");

        Assert.InRange(toA, 800, 1200);
    }

    [Fact]
    public void SplitRecordsTheChosenBranchInHistory()
    {
        var entry = Enroll(HalfAndHalf(), Contact()).State.History.Single(h => h.StepId == "ab");

        Assert.Equal(entry.Next == "a" ? "branch_1" : "branch_2", entry.Outcome);
    }

    [Fact]
    public void SplitWithAHundredPercentBranchAlwaysTakesIt()
    {
        var flow = Flow("ab", """
            {"id": "ab", "type": "split", "branches": [{"percent": 100, "next": "a"}]},
            {"id": "a", "type": "end"}
            """);

        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal("a", BranchOf(flow, $"contact-{i}")));
    }
}
