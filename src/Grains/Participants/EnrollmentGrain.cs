using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Flows.Flows;
using Orleans.Flows.Segments;

namespace Orleans.Flows.Participants;

/// <summary>
/// Enrolls a list of contacts: checks the flow once, then asks each participant grain, at most
/// <see cref="MaxInFlight"/> at a time. Stateless, so enrollments of several requests run side by side and
/// the flow grain is never held while participants work.
/// </summary>
[StatelessWorker]
public sealed partial class EnrollmentGrain(ILogger<EnrollmentGrain> logger) : Grain, IEnrollmentGrain
{
    public const int MaxInFlight = 32;

    public async Task<EnrollmentOutcome> EnrollAsync(string flowId, ImmutableArray<string> contactIds)
    {
        var flow = await GrainFactory.GetGrain<IFlowGrain>(flowId).GetAsync();
        if (flow is null) return new EnrollmentOutcome { FlowNotFound = true };
        if (flow.Status != FlowStatus.Running)
            return new EnrollmentOutcome { Conflict = $"Flow '{flowId}' is {flow.Status.ToString().ToLowerInvariant()}; contacts can be enrolled only while it runs." };

        var outcome = await EnrollAsync(flow, contactIds.Distinct(StringComparer.Ordinal), firstTimeOnly: false);
        LogInformationEnrolled(logger, flowId, outcome.Enrolled, outcome.Skipped.Length);
        return outcome;
    }

    public async Task EnrollSegmentMembersAsync(string flowId)
    {
        var flow = await GrainFactory.GetGrain<IFlowGrain>(flowId).GetAsync();
        if (flow is not { Status: FlowStatus.Running, Definition.Trigger: SegmentTrigger trigger }) return;
        var enrolled = 0;
        var skipped = 0;
        foreach (var segmentId in trigger.SegmentIds)
        {
            var segment = GrainFactory.GetGrain<ISegmentGrain>(segmentId);
            string? after = null;
            do
            {
                var page = await segment.GetMembersAsync(after, SegmentPage);
                // Only contacts new to the flow: a contact in several segments is enrolled once, and a resume does
                // not start the journey again for members who finished it.
                var outcome = await EnrollAsync(flow, page.ContactIds, firstTimeOnly: true);
                enrolled += outcome.Enrolled;
                skipped += outcome.Skipped.Length;
                after = page.NextAfter;
            }
            while (after is not null);
        }
        LogInformationSegmentsEnrolled(logger, flowId, trigger.SegmentIds.Length, enrolled, skipped);
    }

    private const int SegmentPage = 1000;

    private async Task<EnrollmentOutcome> EnrollAsync(FlowSnapshot flow, IEnumerable<string> contactIds, bool firstTimeOnly)
    {
        var enrolled = 0;
        var skipped = ImmutableArray.CreateBuilder<EnrollmentSkip>();
        foreach (var chunk in contactIds.Chunk(MaxInFlight))
        {
            var results = await Task.WhenAll(chunk.Select(contactId =>
                GrainFactory.GetGrain<IParticipantGrain>(ParticipantKey.Format(flow.Id, contactId)).EnrollAsync(flow, firstTimeOnly)));
            for (var i = 0; i < chunk.Length; i++)
            {
                if (results[i].IsEnrolled) enrolled++;
                else skipped.Add(new EnrollmentSkip(chunk[i], results[i].Skipped));
            }
        }
        return new EnrollmentOutcome { Enrolled = enrolled, Skipped = skipped.ToImmutable() };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow {FlowId}: members of {SegmentCount} segments enrolled: {Enrolled} enrolled, {Skipped} skipped")]
    private static partial void LogInformationSegmentsEnrolled(ILogger logger, string flowId, int segmentCount, int enrolled, int skipped);

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow {FlowId}: {Enrolled} contacts enrolled, {Skipped} skipped")]
    private static partial void LogInformationEnrolled(ILogger logger, string flowId, int enrolled, int skipped);
}
