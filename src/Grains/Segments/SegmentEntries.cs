using System.Collections.Immutable;
using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Values;

namespace Orleans.Flows.Segments;

/// <summary>A filter segment by id, as the contact grains see it.</summary>
public sealed record SegmentFilter(string SegmentId, Condition Filter);

/// <summary>When a contact enters a segment, and the event that says so. Pure.</summary>
public static class SegmentEntries
{
    /// <summary>
    /// The filter segments that <paramref name="after"/> matches and <paramref name="before"/> (null: the contact
    /// did not exist) did not: a change that keeps a contact in a segment, or takes it out, enters nothing.
    /// </summary>
    public static ImmutableArray<string> Entered(IEnumerable<SegmentFilter> filters, Contact? before, Contact after, DateTimeOffset now)
    {
        var entered = ImmutableArray.CreateBuilder<string>();
        foreach (var (segmentId, filter) in filters)
        {
            if (!Matches(filter, after, now)) continue;
            if (before is not null && Matches(filter, before, now)) continue;
            entered.Add(segmentId);
        }
        return entered.ToImmutable();
    }

    /// <summary>
    /// <c>selection.added</c> with <c>properties.segmentId</c>: what a contact records when it enters a segment, by
    /// being added to a static list or by a change that makes it match a filter; segment triggers start on it.
    /// </summary>
    public static ContactEvent AddedEvent(string segmentId, string contactId, DateTimeOffset now) => new()
    {
        Id = $"{WellKnownEvents.SelectionAdded}:{segmentId}:{contactId}:{now.UtcTicks}",
        Type = WellKnownEvents.SelectionAdded,
        OccurredAt = now,
        Properties = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("segmentId", FieldValue.Of(segmentId))]),
    };

    private static bool Matches(Condition filter, Contact contact, DateTimeOffset now) =>
        ConditionEvaluator.Evaluate(filter, new ConditionScope(contact, [], now));
}
