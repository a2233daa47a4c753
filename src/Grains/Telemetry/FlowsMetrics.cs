using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Orleans.Flows.Delivery;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;

namespace Orleans.Flows.Telemetry;

/// <summary>
/// The engine's own instruments, in the meter <see cref="MeterName"/>. Grains call one method where the thing
/// happens; the names become the Prometheus names of README (Telemetry) once the exporter has added <c>_total</c>
/// to counters and <c>_seconds</c> for the unit <c>s</c>.
/// </summary>
public sealed class FlowsMetrics
{
    public const string MeterName = "Orleans.Flows";

    // Wake-ups are due to the second; Orleans reminders may fire a second or a period (a minute) late.
    private static readonly IReadOnlyList<double> LatenessBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600];

    private readonly Counter<long> _enrollments;
    private readonly Counter<long> _eventsIngested;
    private readonly Counter<long> _stepsExecuted;
    private readonly Counter<long> _messages;
    private readonly Histogram<double> _wakeUpLateness;
    // -1 until the first sample.
    private long _outboxDepth = -1;

    public FlowsMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _enrollments = meter.CreateCounter<long>("flows.enrollments", "{enrollment}",
            "Contacts that entered a flow: manual, by an event trigger, a segment, an enrollment job or a move from another flow.");
        _eventsIngested = meter.CreateCounter<long>("flows.events.ingested", "{event}",
            "Events accepted by POST /v1/events; repeated event ids (duplicates) are not counted.");
        _stepsExecuted = meter.CreateCounter<long>("flows.steps.executed", "{step}",
            "Steps that ran to their end (a send handed its message over, a wait or waitForEvent ended, a condition chose), by step type.");
        _messages = meter.CreateCounter<long>("flows.messages", "{message}",
            "Messages by channel and status: queued when a step hands one to the outbox, then sent or failed when it is done; failed or skipped at once when it cannot be rendered.");
        _wakeUpLateness = meter.CreateHistogram("flows.wakeup.lateness", "s",
            "How late a wait, an event timeout or a held step fired against its due time.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatenessBuckets });
        meter.CreateObservableGauge("flows.outbox.depth", ObserveOutboxDepth, "{message}",
            "Messages queued in the outbox and not yet sent, over every channel (sampled every few seconds; the whole cluster's in durable mode).");
    }

    public void Enrolled(int count = 1)
    {
        if (count > 0) _enrollments.Add(count);
    }

    public void EventsIngested(int accepted)
    {
        if (accepted > 0) _eventsIngested.Add(accepted);
    }

    /// <summary>Counts the steps a run of the interpreter completed, by their type in the flow definition.</summary>
    public void StepsExecuted(FlowDefinition definition, ImmutableArray<StepTransition> steps)
    {
        foreach (var step in steps)
        {
            if (step.Phase != StepPhase.Completed) continue;
            _stepsExecuted.Add(1, new KeyValuePair<string, object?>("type", definition.FindStep(step.StepId)?.Type ?? "unknown"));
        }
    }

    /// <param name="status">A <see cref="MessageStatus"/>: queued, sent, failed or skipped.</param>
    public void Message(MessageChannel channel, string status) =>
        _messages.Add(1, new KeyValuePair<string, object?>("channel", ChannelName(channel)), new KeyValuePair<string, object?>("status", status));

    public void WokeUp(TimeSpan lateness) => _wakeUpLateness.Record(Math.Max(0, lateness.TotalSeconds));

    /// <summary>The outbox depth as last sampled (<see cref="OutboxDepthSampler"/>); the gauge reports nothing before.</summary>
    public void OutboxDepthSampled(long depth) => Interlocked.Exchange(ref _outboxDepth, depth);

    private IEnumerable<Measurement<long>> ObserveOutboxDepth() =>
        Interlocked.Read(ref _outboxDepth) is var depth and >= 0 ? [new Measurement<long>(depth)] : [];

    /// <summary>The channel as the message log names it.</summary>
    public static string ChannelName(MessageChannel channel) => channel switch
    {
        MessageChannel.Email => "email",
        MessageChannel.Sms => "sms",
        MessageChannel.Push => "push",
        MessageChannel.Crm => "crm",
        MessageChannel.Webhook => "webhook",
        _ => channel.ToString().ToLowerInvariant(),
    };
}
