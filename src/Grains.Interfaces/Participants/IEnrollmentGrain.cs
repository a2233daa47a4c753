using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Orleans.Flows.Participants;

/// <summary>Enrolls a list of contacts into a flow, fanning out to their participants with bounded concurrency.</summary>
public interface IEnrollmentGrain : IGrainWithIntegerKey
{
    Task<EnrollmentOutcome> EnrollAsync(string flowId, ImmutableArray<string> contactIds);

    /// <summary>Enrolls every member of the segments a running flow is triggered by. One-way: the flow that starts asks for it.</summary>
    [OneWay]
    Task EnrollSegmentMembersAsync(string flowId);
}
