using System.Collections.Immutable;
using Orleans.Concurrency;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Participants;

public enum EnrollmentJobStatus { Running, Completed, Failed }

/// <summary>Progress of an enrollment job, as <c>GET /v1/flows/{id}/enrollments/{jobId}</c> shows it.</summary>
[GenerateSerializer, Immutable, Alias("flows.EnrollmentJobView")]
public sealed record EnrollmentJobView
{
    [Id(0)] public required string JobId { get; init; }
    [Id(1)] public required string FlowId { get; init; }
    [Id(2)] public required string SegmentId { get; init; }
    [Id(3)] public EnrollmentJobStatus Status { get; init; }
    /// <summary>Members of the segment when the job started.</summary>
    [Id(4)] public long Total { get; init; }
    [Id(5)] public long Processed { get; init; }
    [Id(6)] public long Enrolled { get; init; }
    [Id(7)] public long Skipped { get; init; }
    /// <summary>Skipped contacts by reason (<c>already_enrolled</c>, <c>filtered_out</c>, …).</summary>
    [Id(8)] public ImmutableSortedDictionary<string, long> SkippedByReason { get; init; } = ImmutableSortedDictionary<string, long>.Empty;
    [Id(9)] public string? Error { get; init; }
    [Id(10)] public DateTimeOffset CreatedAt { get; init; }
    [Id(11)] public DateTimeOffset? CompletedAt { get; init; }
}

/// <summary>Why a job could not start.</summary>
public enum EnrollmentJobRefusal { None, FlowNotFound, FlowNotRunning, SegmentNotFound, JobIdTaken }

[GenerateSerializer, Immutable, Alias("flows.EnrollmentJobStart")]
public sealed record EnrollmentJobStart(
    [property: Id(0)] EnrollmentJobView? Job,
    [property: Id(1)] EnrollmentJobRefusal Refusal,
    [property: Id(2)] string? Detail = null);

/// <summary>
/// Enrolls every member of a segment into a flow (key <c>{flowId}/{jobId}</c>): pages of members go to
/// <see cref="IEnrollmentWorkerGrain"/> shards, a bounded number at a time; the cursor is persisted after each
/// page, so that after a crash the job goes on from there and nobody is enrolled twice.
/// </summary>
public interface IEnrollmentJobGrain : IGrainWithStringKey
{
    /// <summary>Starts the job; asked again with the same segment (a retried request) it answers with the job as it stands.</summary>
    Task<EnrollmentJobStart> StartAsync(string segmentId);

    /// <summary>Null when no such job was started. Answers while the job works.</summary>
    [AlwaysInterleave]
    Task<EnrollmentJobView?> GetAsync();
}

[GenerateSerializer, Immutable, Alias("flows.EnrollmentPageOutcome")]
public sealed record EnrollmentPageOutcome
{
    [Id(0)] public int Enrolled { get; init; }
    [Id(1)] public ImmutableSortedDictionary<string, int> Skipped { get; init; } = ImmutableSortedDictionary<string, int>.Empty;
    /// <summary>True when the flow stopped running: the page was not (wholly) enrolled.</summary>
    [Id(2)] public bool FlowNotRunning { get; init; }
}

/// <summary>
/// One shard of an enrollment job's workers (key <c>{flowId}/{jobId}/{shard}</c>), placed anywhere in the cluster,
/// enrolling one page at a time with a bounded number of participant calls in flight.
/// </summary>
public interface IEnrollmentWorkerGrain : IGrainWithStringKey
{
    /// <summary>Enrolls the page on behalf of <paramref name="jobId"/>; a participant this job already enrolled counts as enrolled again.</summary>
    Task<EnrollmentPageOutcome> EnrollPageAsync(FlowSnapshot flow, string jobId, ImmutableArray<string> contactIds);
}
