using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Flows.Flows;

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

        var enrolled = 0;
        var skipped = ImmutableArray.CreateBuilder<EnrollmentSkip>();
        foreach (var chunk in contactIds.Distinct(StringComparer.Ordinal).Chunk(MaxInFlight))
        {
            var results = await Task.WhenAll(chunk.Select(contactId =>
                GrainFactory.GetGrain<IParticipantGrain>(ParticipantKey.Format(flowId, contactId)).EnrollAsync(flow)));
            for (var i = 0; i < chunk.Length; i++)
            {
                if (results[i].IsEnrolled) enrolled++;
                else skipped.Add(new EnrollmentSkip(chunk[i], results[i].Skipped));
            }
        }
        LogInformationEnrolled(logger, flowId, enrolled, skipped.Count);
        return new EnrollmentOutcome { Enrolled = enrolled, Skipped = skipped.ToImmutable() };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow {FlowId}: {Enrolled} contacts enrolled, {Skipped} skipped")]
    private static partial void LogInformationEnrolled(ILogger logger, string flowId, int enrolled, int skipped);
}
