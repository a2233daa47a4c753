using System.Collections.Concurrent;
using Orleans.Flows.Interpretation;

namespace Orleans.Flows.Flows;

/// <summary>
/// Per-silo cache of flow definitions and states, so that participants do not call the flow grain on every
/// step. A definition version never changes and is kept; a flow's status is kept for <see cref="StatusTtl"/>,
/// and a flow grain on the same silo drops it at once when it changes.
/// </summary>
public sealed class FlowDefinitionCache(IGrainFactory grains, TimeProvider time)
{
    public static readonly TimeSpan StatusTtl = TimeSpan.FromSeconds(1);
    private const int MaxVersions = 10_000;

    private readonly ConcurrentDictionary<(string FlowId, int Version), FlowDefinition> _versions = new();
    private readonly ConcurrentDictionary<string, (FlowSnapshot? Flow, DateTimeOffset At)> _current = new(StringComparer.Ordinal);

    /// <summary>The flow as it is now (newest version and status), or null when it does not exist.</summary>
    public async ValueTask<FlowSnapshot?> GetCurrentAsync(string flowId)
    {
        var now = time.GetUtcNow();
        if (_current.TryGetValue(flowId, out var cached) && now - cached.At < StatusTtl) return cached.Flow;
        var flow = await grains.GetGrain<IFlowGrain>(flowId).GetAsync();
        _current[flowId] = (flow, now);
        if (flow is not null) _versions.TryAdd((flowId, flow.Version), flow.Definition);
        return flow;
    }

    /// <summary>What a participant on <paramref name="version"/> runs by: that version's steps and the flow's current status.</summary>
    public async ValueTask<FlowContext?> GetContextAsync(string flowId, int version)
    {
        var current = await GetCurrentAsync(flowId);
        if (current is null) return null;
        if (!_versions.TryGetValue((flowId, version), out var definition))
        {
            definition = await grains.GetGrain<IFlowGrain>(flowId).GetVersionAsync(version);
            if (definition is null) return null;
            if (_versions.Count >= MaxVersions) _versions.Clear();
            _versions[(flowId, version)] = definition;
        }
        return new FlowContext(flowId, version, definition, current.Status);
    }

    public void Invalidate(string flowId) => _current.TryRemove(flowId, out _);
}
