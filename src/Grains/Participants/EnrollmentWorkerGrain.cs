using System.Collections.Immutable;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Participants;

/// <summary>
/// Enrolls one page of an enrollment job, <see cref="MaxInFlight"/> participants at a time. Holds nothing: a page
/// lost with its silo is sent again by the job, and the participants answer the repeat idempotently.
/// </summary>
public sealed class EnrollmentWorkerGrain : Grain, IEnrollmentWorkerGrain
{
    public const int MaxInFlight = 64;

    public async Task<EnrollmentPageOutcome> EnrollPageAsync(FlowSnapshot flow, string jobId, ImmutableArray<string> contactIds)
    {
        var enrolled = 0;
        var skipped = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var flowStopped = false;
        using var gate = new SemaphoreSlim(MaxInFlight);
        var results = await Task.WhenAll(contactIds.Select(async contactId =>
        {
            await gate.WaitAsync();
            try
            {
                return await GrainFactory.GetGrain<IParticipantGrain>(ParticipantKey.Format(flow.Id, contactId)).EnrollAsync(flow, enrollmentId: jobId);
            }
            finally
            {
                gate.Release();
            }
        }));
        foreach (var result in results)
        {
            if (result.IsEnrolled) enrolled++;
            else if (result.Skipped == EnrollSkipReason.FlowNotRunning) flowStopped = true;
            else skipped[result.Skipped.ToApi()] = skipped.GetValueOrDefault(result.Skipped.ToApi()) + 1;
        }
        return new EnrollmentPageOutcome
        {
            Enrolled = enrolled,
            Skipped = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, skipped),
            FlowNotRunning = flowStopped,
        };
    }
}
