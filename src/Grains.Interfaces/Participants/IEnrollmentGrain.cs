using System.Collections.Immutable;

namespace Orleans.Flows.Participants;

/// <summary>Enrolls a list of contacts into a flow, fanning out to their participants with bounded concurrency.</summary>
public interface IEnrollmentGrain : IGrainWithIntegerKey
{
    Task<EnrollmentOutcome> EnrollAsync(string flowId, ImmutableArray<string> contactIds);
}
