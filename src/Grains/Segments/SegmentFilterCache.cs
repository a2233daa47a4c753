using System.Collections.Concurrent;
using System.Collections.Immutable;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Segments;

/// <summary>
/// Per-silo cache of the filters of the segments that running flows start from, so that a contact change does not
/// call a segment grain. A filter is kept for <see cref="Ttl"/>: a segment redefined on another silo reaches this one
/// within that time (its own silo drops it at once).
/// </summary>
public sealed class SegmentFilterCache(IGrainFactory grains, FlowTriggerIndex triggers, TimeProvider time)
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (Condition? Filter, DateTimeOffset At)> _filters = new(StringComparer.Ordinal);

    /// <summary>The filter segments among the segments of running segment-triggered flows; usually none.</summary>
    public async ValueTask<ImmutableArray<SegmentFilter>> RunningAsync()
    {
        var segmentIds = await triggers.SegmentIdsAsync();
        if (segmentIds.IsEmpty) return [];
        var filters = await Task.WhenAll(segmentIds.Select(id => GetAsync(id).AsTask()));
        var running = ImmutableArray.CreateBuilder<SegmentFilter>();
        for (var i = 0; i < segmentIds.Length; i++)
            if (filters[i] is { } filter) running.Add(new SegmentFilter(segmentIds[i], filter));
        return running.ToImmutable();
    }

    /// <summary>The segment's filter; null for a static list or a segment that does not exist.</summary>
    public async ValueTask<Condition?> GetAsync(string segmentId)
    {
        var now = time.GetUtcNow();
        if (_filters.TryGetValue(segmentId, out var cached) && now - cached.At < Ttl) return cached.Filter;
        var filter = await grains.GetGrain<ISegmentGrain>(segmentId).GetFilterAsync();
        _filters[segmentId] = (filter, now);
        return filter;
    }

    public void Invalidate(string segmentId) => _filters.TryRemove(segmentId, out _);
}
