using System.Collections.Immutable;

namespace Orleans.Flows.Statistics;

[GenerateSerializer, Immutable, Alias("flows.StepStats")]
public sealed record StepStats
{
    [Id(0)] public long Entered { get; init; }
    [Id(1)] public long Completed { get; init; }
    [Id(2)] public long Waiting { get; init; }
}

[GenerateSerializer, Immutable, Alias("flows.SendStats")]
public sealed record SendStats
{
    [Id(0)] public long Sent { get; init; }
    [Id(1)] public long Delivered { get; init; }
    [Id(2)] public long Failed { get; init; }
    [Id(3)] public long Opened { get; init; }
    [Id(4)] public long Clicked { get; init; }
}

/// <summary>
/// Counters of one flow. Used both as totals and as the deltas a silo flushes, which is why every counter
/// is a plain sum.
/// </summary>
[GenerateSerializer, Immutable, Alias("flows.FlowStats")]
public sealed record FlowStats
{
    public static readonly FlowStats Empty = new();

    [Id(0)] public long Enrolled { get; init; }
    [Id(1)] public long Active { get; init; }
    [Id(2)] public long Waiting { get; init; }
    [Id(3)] public long Completed { get; init; }
    [Id(4)] public long Succeeded { get; init; }
    [Id(5)] public long Exited { get; init; }
    [Id(6)] public long Removed { get; init; }
    [Id(7)] public long Failed { get; init; }
    [Id(8)] public ImmutableSortedDictionary<string, StepStats> Steps { get; init; } = ImmutableSortedDictionary<string, StepStats>.Empty;
    [Id(9)] public SendStats Sends { get; init; } = new();
    /// <summary>Participants that met the success criteria, whether they stopped or went on.</summary>
    [Id(10)] public long SucceededTotal { get; init; }

    /// <summary>Successful ÷ enrolled, 0 when nobody was enrolled.</summary>
    public double SuccessRate => Enrolled == 0 ? 0 : Math.Round((double)SucceededTotal / Enrolled, 4);

    public FlowStats Add(FlowStats delta)
    {
        var steps = Steps;
        foreach (var (stepId, d) in delta.Steps)
        {
            var current = steps.TryGetValue(stepId, out var s) ? s : new StepStats();
            steps = steps.SetItem(stepId, new StepStats
            {
                Entered = current.Entered + d.Entered,
                Completed = current.Completed + d.Completed,
                Waiting = current.Waiting + d.Waiting,
            });
        }
        return new FlowStats
        {
            Enrolled = Enrolled + delta.Enrolled,
            Active = Active + delta.Active,
            Waiting = Waiting + delta.Waiting,
            Completed = Completed + delta.Completed,
            Succeeded = Succeeded + delta.Succeeded,
            Exited = Exited + delta.Exited,
            Removed = Removed + delta.Removed,
            Failed = Failed + delta.Failed,
            SucceededTotal = SucceededTotal + delta.SucceededTotal,
            Steps = steps,
            Sends = new SendStats
            {
                Sent = Sends.Sent + delta.Sends.Sent,
                Delivered = Sends.Delivered + delta.Sends.Delivered,
                Failed = Sends.Failed + delta.Sends.Failed,
                Opened = Sends.Opened + delta.Sends.Opened,
                Clicked = Sends.Clicked + delta.Sends.Clicked,
            },
        };
    }
}
