using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Participants;

/// <summary>
/// Enrolls one page of an enrollment job: in durable mode as rows (<see cref="BulkEnrollment"/>), and whatever
/// that leaves, or all of it in development mode, through the participant grains, <see cref="MaxInFlight"/> at a
/// time. Holds nothing: a page lost with its silo is sent again by the job, and enrolled once either way.
/// </summary>
public sealed class EnrollmentWorkerGrain(IServiceProvider services) : Grain, IEnrollmentWorkerGrain
{
    public const int MaxInFlight = 64;

    private readonly BulkEnrollment? _bulk = services.GetService<BulkEnrollment>();

    public async Task<EnrollmentPageOutcome> EnrollPageAsync(FlowSnapshot flow, string jobId, ImmutableArray<string> contactIds)
    {
        var enrolled = 0;
        var skipped = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var flowStopped = false;
        IReadOnlyList<string> viaGrains = contactIds;
        if (_bulk is not null)
        {
            var bulk = await _bulk.EnrollAsync(flow, jobId, contactIds);
            enrolled = bulk.Enrolled;
            foreach (var (reason, count) in bulk.Skipped) skipped[reason] = count;
            flowStopped = bulk.FlowNotRunning;
            viaGrains = bulk.ViaGrains;
        }

        using var gate = new SemaphoreSlim(MaxInFlight);
        var results = await Task.WhenAll(viaGrains.Select(async contactId =>
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
