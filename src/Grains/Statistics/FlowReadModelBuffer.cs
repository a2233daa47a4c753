using System.Collections.Immutable;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;

namespace Orleans.Flows.Statistics;

/// <summary>
/// Per-silo buffer for the read models: participants record their changes here in memory, and a loop
/// flushes them per flow every <see cref="FlushInterval"/>: one call per flow and interval, never one per
/// participant event.
/// </summary>
public sealed partial class FlowReadModelBuffer(IGrainFactory grains, ILogger<FlowReadModelBuffer> logger) : BackgroundService
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private Dictionary<string, FlowStats> _stats = new(StringComparer.Ordinal);
    private Dictionary<string, Dictionary<string, ParticipantSummary>> _participants = new(StringComparer.Ordinal);

    /// <summary>Records one transition of a participant.</summary>
    public void Record(ParticipantState before, ParticipantState after, ImmutableArray<StepTransition> steps)
    {
        var delta = Delta(before, after, steps);
        lock (_lock)
        {
            _stats[after.FlowId] = _stats.TryGetValue(after.FlowId, out var pending) ? pending.Add(delta) : delta;
            if (!_participants.TryGetValue(after.FlowId, out var rows))
                _participants[after.FlowId] = rows = new Dictionary<string, ParticipantSummary>(StringComparer.Ordinal);
            rows[after.ContactId] = after.ToSummary();
        }
    }

    /// <summary>Records what became of a flow's messages: sent, delivered, failed, opened, clicked.</summary>
    public void RecordSends(string flowId, SendStats sends)
    {
        var delta = new FlowStats { Sends = sends };
        lock (_lock) _stats[flowId] = _stats.TryGetValue(flowId, out var pending) ? pending.Add(delta) : delta;
    }

    /// <summary>Records that a participant was erased with its contact.</summary>
    public void RecordErased(ParticipantState before)
    {
        var delta = Delta(before, before with { Journey = 0 }, []);
        lock (_lock)
        {
            _stats[before.FlowId] = _stats.TryGetValue(before.FlowId, out var pending) ? pending.Add(delta) : delta;
            if (!_participants.TryGetValue(before.FlowId, out var rows))
                _participants[before.FlowId] = rows = new Dictionary<string, ParticipantSummary>(StringComparer.Ordinal);
            rows[before.ContactId] = before.ToSummary() with { Erased = true, Revision = before.Revision + 1 };
        }
    }

    /// <summary>The change in the flow's counters that one transition makes.</summary>
    public static FlowStats Delta(ParticipantState before, ParticipantState after, ImmutableArray<StepTransition> steps)
    {
        var counts = new long[Enum.GetValues<ParticipantStatus>().Length];
        if (before.Exists) counts[(int)before.Status]--;
        if (after.Exists) counts[(int)after.Status]++;

        var stepStats = new Dictionary<string, StepStats>(StringComparer.Ordinal);
        StepStats Get(string id) => stepStats.TryGetValue(id, out var s) ? s : new StepStats();
        foreach (var t in steps)
            stepStats[t.StepId] = t.Phase == StepPhase.Entered ? Get(t.StepId) with { Entered = Get(t.StepId).Entered + 1 } : Get(t.StepId) with { Completed = Get(t.StepId).Completed + 1 };
        if (before.Exists && before.Status == ParticipantStatus.Waiting && before.CurrentStepId is { } was)
            stepStats[was] = Get(was) with { Waiting = Get(was).Waiting - 1 };
        if (after.Exists && after.Status == ParticipantStatus.Waiting && after.CurrentStepId is { } @is)
            stepStats[@is] = Get(@is) with { Waiting = Get(@is).Waiting + 1 };

        var newJourney = after.Journey > before.Journey;
        var newlySucceeded = after.Exists && after.Succeeded && (newJourney || !before.Succeeded);
        return new FlowStats
        {
            Enrolled = newJourney ? 1 : 0,
            Active = counts[(int)ParticipantStatus.Active],
            Waiting = counts[(int)ParticipantStatus.Waiting],
            Completed = counts[(int)ParticipantStatus.Completed],
            Succeeded = counts[(int)ParticipantStatus.Succeeded],
            Exited = counts[(int)ParticipantStatus.Exited],
            Removed = counts[(int)ParticipantStatus.Removed],
            Failed = counts[(int)ParticipantStatus.Failed],
            SucceededTotal = newlySucceeded ? 1 : 0,
            Steps = stepStats.ToImmutableSortedDictionary(StringComparer.Ordinal),
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await FlushAsync();
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync();
    }

    /// <summary>Sends what is buffered; a flow whose flush fails keeps its changes for the next round.</summary>
    public async Task FlushAsync()
    {
        Dictionary<string, FlowStats> stats;
        Dictionary<string, Dictionary<string, ParticipantSummary>> participants;
        lock (_lock)
        {
            if (_stats.Count == 0 && _participants.Count == 0) return;
            (stats, _stats) = (_stats, new Dictionary<string, FlowStats>(StringComparer.Ordinal));
            (participants, _participants) = (_participants, new Dictionary<string, Dictionary<string, ParticipantSummary>>(StringComparer.Ordinal));
        }

        foreach (var (flowId, delta) in stats)
        {
            try
            {
                await grains.GetGrain<IFlowStatsGrain>(flowId).ApplyAsync(delta);
            }
            catch (Exception ex)
            {
                LogWarningFlushFailed(logger, ex, flowId);
                lock (_lock) _stats[flowId] = _stats.TryGetValue(flowId, out var newer) ? delta.Add(newer) : delta;
            }
        }
        foreach (var (flowId, rows) in participants)
        {
            try
            {
                await grains.GetGrain<IFlowParticipantsGrain>(flowId).ApplyAsync([.. rows.Values]);
            }
            catch (Exception ex)
            {
                LogWarningFlushFailed(logger, ex, flowId);
                lock (_lock)
                {
                    if (!_participants.TryGetValue(flowId, out var newer)) _participants[flowId] = newer = new Dictionary<string, ParticipantSummary>(StringComparer.Ordinal);
                    foreach (var (contactId, row) in rows) newer.TryAdd(contactId, row);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not flush the read models of flow {FlowId}; will retry")]
    private static partial void LogWarningFlushFailed(ILogger logger, Exception exception, string flowId);
}
