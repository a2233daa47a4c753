using System.Collections.Immutable;
using Orleans.Flows.Contacts;
using Orleans.Flows.Interpretation;

namespace Orleans.Flows.Flows;

/// <summary>
/// Per-silo index of the running flows that events start: contacts look here instead of calling each flow
/// for each event. A flow's save drops it on every silo (see <see cref="IFlowCacheGrain"/>); it is also
/// reloaded after <see cref="Ttl"/> in case a silo missed that.
/// </summary>
public sealed class FlowTriggerIndex(IGrainFactory grains, TimeProvider time)
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    private volatile Snapshot? _snapshot;
    // Bumped by every invalidation, so that a load that began before one does not store what it read.
    private int _generation;

    private sealed record Snapshot(ImmutableArray<FlowCatalogEntry> Flows, ImmutableArray<string> SegmentIds, DateTimeOffset LoadedAt);

    /// <summary>The flows an event should enroll its contact into.</summary>
    public async ValueTask<ImmutableArray<string>> FlowsStartedByAsync(ContactEvent e)
    {
        var snapshot = await SnapshotAsync();
        return [.. snapshot.Flows.Where(f => IsStartedBy(f.Trigger, e)).Select(f => f.Id)];
    }

    /// <summary>The segments of the running segment-triggered flows: a contact that enters one of them is enrolled.</summary>
    public async ValueTask<ImmutableArray<string>> SegmentIdsAsync() => (await SnapshotAsync()).SegmentIds;

    private async ValueTask<Snapshot> SnapshotAsync()
    {
        var snapshot = _snapshot;
        if (snapshot is null || time.GetUtcNow() - snapshot.LoadedAt > Ttl)
        {
            var generation = Volatile.Read(ref _generation);
            var loadedAt = time.GetUtcNow();
            var flows = await grains.GetGrain<IFlowCatalogGrain>(IFlowCatalogGrain.Key).GetTriggeredFlowsAsync();
            var segmentIds = flows.Select(f => f.Trigger).OfType<SegmentTrigger>().SelectMany(t => t.SegmentIds).Distinct(StringComparer.Ordinal).ToImmutableArray();
            snapshot = new Snapshot(flows, segmentIds, loadedAt);
            if (Volatile.Read(ref _generation) == generation) _snapshot = snapshot;
        }
        return snapshot;
    }

    /// <summary>
    /// An event trigger fires on its event type when its <c>where</c> holds for the event's properties; a segment
    /// trigger fires when the contact is added to one of its segments (<c>selection.added</c>).
    /// </summary>
    public static bool IsStartedBy(Trigger trigger, ContactEvent e) => trigger switch
    {
        EventTrigger t => string.Equals(t.Event, e.Type, StringComparison.Ordinal) &&
                          (t.Where is null || ConditionEvaluator.EvaluateOnProperties(t.Where, e.Properties)),
        SegmentTrigger s => e.Type == WellKnownEvents.SelectionAdded &&
                            e.Properties.TryGetValue("segmentId", out var segment) && segment.Text is { } id && s.SegmentIds.Contains(id),
        _ => false,
    };

    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _snapshot = null;
    }
}
