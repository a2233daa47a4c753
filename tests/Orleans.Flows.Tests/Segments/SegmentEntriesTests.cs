using System.Collections.Immutable;
using Orleans.Flows.Contacts;
using Orleans.Flows.Segments;
using Orleans.Flows.Values;

namespace Orleans.Flows.Tests.Segments;

/// <summary>A contact enters a filter segment when a change makes it match; staying in, or leaving, enters nothing.</summary>
public sealed class SegmentEntriesTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly SegmentFilter Customers = new("customers", FilterSamples.Parse("""{"attribute": "attributes.category", "op": "eq", "value": "customer"}"""));

    private static readonly SegmentFilter Oslo = new("oslo", FilterSamples.Parse(
        """{"all": [{"attribute": "timeZone", "op": "eq", "value": "Europe/Oslo"}, {"not": {"attribute": "tags", "op": "in", "value": ["blocked"]}}]}"""));

    private static Contact Contact(string? category = null, string? timeZone = null, params string[] tags) => new()
    {
        Id = "ada",
        TimeZone = timeZone,
        Tags = [.. tags],
        Attributes = category is null
            ? ImmutableSortedDictionary<string, FieldValue>.Empty
            : ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("category", FieldValue.Of(category))]),
    };

    [Fact]
    public void ANewContactThatMatchesEntersTheSegment()
    {
        Assert.Equal(new[] { "customers" }, SegmentEntries.Entered([Customers, Oslo], before: null, Contact("Customer"), Now).AsEnumerable());
    }

    [Fact]
    public void AChangeThatMakesTheContactMatchEntersTheSegment()
    {
        Assert.Equal(new[] { "customers" }, SegmentEntries.Entered([Customers], Contact("lead"), Contact("customer"), Now).AsEnumerable());
        Assert.Equal(new[] { "oslo" }, SegmentEntries.Entered([Customers, Oslo], Contact(null, "Europe/Oslo", "blocked"), Contact(null, "Europe/Oslo"), Now).AsEnumerable());
    }

    [Fact]
    public void AChangeThatMakesTheContactMatchSeveralSegmentsEntersEach()
    {
        Assert.Equal(new[] { "customers", "oslo" }, SegmentEntries.Entered([Customers, Oslo], Contact("lead"), Contact("customer", "Europe/Oslo"), Now).AsEnumerable());
    }

    [Fact]
    public void AContactThatMatchedBeforeEntersNothing()
    {
        Assert.Empty(SegmentEntries.Entered([Customers, Oslo], Contact("customer", "Europe/Oslo"), Contact("CUSTOMER", "Europe/Oslo", "vip"), Now).AsEnumerable());
    }

    [Fact]
    public void AContactThatLeavesOrStaysOutEntersNothing()
    {
        Assert.Empty(SegmentEntries.Entered([Customers], Contact("customer"), Contact("lead"), Now).AsEnumerable());
        Assert.Empty(SegmentEntries.Entered([Customers], Contact("lead"), Contact("partner"), Now).AsEnumerable());
        Assert.Empty(SegmentEntries.Entered([Customers], before: null, Contact(), Now).AsEnumerable());
        Assert.Empty(SegmentEntries.Entered([], before: null, Contact("customer"), Now).AsEnumerable());
    }

    [Fact]
    public void TheEntryEventNamesTheSegmentAsAStaticListsAdditionDoes()
    {
        var e = SegmentEntries.AddedEvent("customers", "ada", Now);

        Assert.Equal(WellKnownEvents.SelectionAdded, e.Type);
        Assert.Equal(FieldValue.Of("customers"), e.Properties["segmentId"]);
        Assert.Equal(Now, e.OccurredAt);
        Assert.Equal($"selection.added:customers:ada:{Now.UtcTicks}", e.Id);
    }
}
