using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans.Flows.Telemetry;
using Microsoft.Extensions.Options;
using Orleans.Flows.Flows;
using Orleans.Flows.Segments;

namespace Orleans.Flows.Participants;

[GenerateSerializer, Alias("flows.EnrollmentJobState")]
public sealed record EnrollmentJobState
{
    [Id(0)] public EnrollmentJobView? Job { get; init; }
    /// <summary>The last contact id of the last page wholly enrolled, in the segment's order; null before the first.</summary>
    [Id(1)] public string? Cursor { get; init; }
    /// <summary>Pages wholly enrolled: the next page goes to shard <c>Pages % Shards</c>.</summary>
    [Id(2)] public long Pages { get; init; }
}

/// <summary>
/// Enrolls a segment into a flow page by page. Up to <see cref="EnrollmentJobOptions.PagesInFlight"/> pages are with the worker shards
/// at once (back-pressure: the next page is read only when the oldest is done); after each page the cursor and the
/// counters are written together, so a job that restarts after a crash repeats at most the pages that were in
/// flight, and the participants count such a repeat once. An Orleans reminder brings the job back on another silo.
/// </summary>
public sealed partial class EnrollmentJobGrain(
    [PersistentState("enrollmentJob", StorageNames.Flows)] IPersistentState<EnrollmentJobState> state,
    TimeProvider time,
    IOptions<EnrollmentJobOptions> options,
    ILogger<EnrollmentJobGrain> logger) : Grain, IEnrollmentJobGrain, IRemindable
{
    public const int Shards = 8;
    private readonly int _pageSize = Math.Max(1, options.Value.PageSize);
    private readonly int _pagesInFlight = Math.Max(1, options.Value.PagesInFlight);
    private const string KeepAlive = "enrollment-job";

    private readonly Queue<InFlightPage> _inFlight = new();
    private string? _readCursor;
    private bool _exhausted;
    private IGrainTimer? _timer;

    private string FlowId => ParticipantKey.Parse(this.GetPrimaryKeyString()).FlowId;

    private string JobId => ParticipantKey.Parse(this.GetPrimaryKeyString()).ContactId;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Job is { Status: EnrollmentJobStatus.Running }) Run();
        return Task.CompletedTask;
    }

    public async Task<EnrollmentJobStart> StartAsync(string segmentId)
    {
        if (state.State.Job is { } existing)
            return existing.SegmentId == segmentId
                ? new EnrollmentJobStart(existing, EnrollmentJobRefusal.None)
                : new EnrollmentJobStart(null, EnrollmentJobRefusal.JobIdTaken, $"Job '{JobId}' of flow '{FlowId}' enrolls segment '{existing.SegmentId}'.");

        var flow = await GrainFactory.GetGrain<IFlowGrain>(FlowId).GetAsync();
        if (flow is null) return new EnrollmentJobStart(null, EnrollmentJobRefusal.FlowNotFound, $"Flow '{FlowId}' does not exist.");
        if (flow.Status != FlowStatus.Running)
            return new EnrollmentJobStart(null, EnrollmentJobRefusal.FlowNotRunning,
                $"Flow '{FlowId}' is {flow.Status.ToString().ToLowerInvariant()}; contacts can be enrolled only while it runs.");
        var segment = await GrainFactory.GetGrain<ISegmentGrain>(segmentId).GetAsync();
        if (segment is null) return new EnrollmentJobStart(null, EnrollmentJobRefusal.SegmentNotFound, $"Segment '{segmentId}' does not exist.");

        state.State = new EnrollmentJobState
        {
            Job = new EnrollmentJobView
            {
                JobId = JobId,
                FlowId = FlowId,
                SegmentId = segmentId,
                Status = EnrollmentJobStatus.Running,
                Total = segment.Count,
                CreatedAt = time.GetUtcNow(),
            },
        };
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(KeepAlive, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        LogInformationStarted(logger, JobId, FlowId, segmentId, segment.Count);
        Run();
        return new EnrollmentJobStart(state.State.Job, EnrollmentJobRefusal.None);
    }

    public Task<EnrollmentJobView?> GetAsync() => Task.FromResult(state.State.Job);

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    /// <summary>Works through the pages on a timer: each tick waits for the oldest page, so requests are answered between pages.</summary>
    private void Run()
    {
        if (_timer is not null) return;
        _readCursor = state.State.Cursor;
        _timer = this.RegisterGrainTimer(StepAsync, new GrainTimerCreationOptions(TimeSpan.Zero, TimeSpan.FromMilliseconds(1)) { KeepAlive = true });
    }

    private async Task StepAsync(CancellationToken cancellationToken)
    {
        if (state.State.Job is not { Status: EnrollmentJobStatus.Running } job) return;
        var flow = await GrainFactory.GetGrain<IFlowGrain>(FlowId).GetAsync();
        if (flow is not { Status: FlowStatus.Running })
        {
            if (flow is { Status: FlowStatus.Paused })
            {
                // Held with its flow; goes on when it runs again.
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                return;
            }
            await FinishAsync(EnrollmentJobStatus.Failed, $"Flow '{FlowId}' is {(flow is null ? "deleted" : "ended")}; the job stopped.");
            return;
        }

        var segment = GrainFactory.GetGrain<ISegmentGrain>(job.SegmentId);
        var shard = state.State.Pages + _inFlight.Count;
        while (!_exhausted && _inFlight.Count < _pagesInFlight)
        {
            var page = await segment.GetMembersAsync(_readCursor, _pageSize);
            if (page.ContactIds.IsEmpty)
            {
                _exhausted = true;
                break;
            }
            var next = GrainFactory.GetGrain<IEnrollmentWorkerGrain>($"{FlowId}/{JobId}/{shard++ % Shards}");
            _inFlight.Enqueue(new InFlightPage(page.ContactIds, next.EnrollPageAsync(flow, JobId, page.ContactIds)));
            _readCursor = page.ContactIds[^1];
            _exhausted = page.NextAfter is null;
        }

        if (_inFlight.Count == 0)
        {
            await FinishAsync(EnrollmentJobStatus.Completed, null);
            return;
        }

        Task<EnrollmentPageOutcome> Resend(ImmutableArray<string> contactIds) => GrainFactory
            .GetGrain<IEnrollmentWorkerGrain>($"{FlowId}/{JobId}/{Random.Shared.Next(Shards)}")
            .EnrollPageAsync(flow, JobId, contactIds);
        var oldest = _inFlight.Peek();
        EnrollmentPageOutcome outcome;
        try
        {
            outcome = await oldest.Outcome;
        }
        catch (Exception e)
        {
            // The worker's silo died, or a participant failed: the page goes again, and what it enrolled counts once.
            LogWarningPageFailed(logger, e, JobId, FlowId, oldest.ContactIds[0]);
            _inFlight.Dequeue();
            RequeueFirst(new InFlightPage(oldest.ContactIds, Resend(oldest.ContactIds)));
            return;
        }
        if (outcome.FlowNotRunning)
        {
            // The flow was paused or ended while the page ran: once it runs again the page goes again; if it ended, the next tick stops the job.
            _inFlight.Dequeue();
            RequeueFirst(new InFlightPage(oldest.ContactIds, Resend(oldest.ContactIds)));
            return;
        }

        _inFlight.Dequeue();
        var skipped = job.SkippedByReason;
        foreach (var (reason, count) in outcome.Skipped) skipped = skipped.SetItem(reason, skipped.GetValueOrDefault(reason) + count);
        state.State = state.State with
        {
            Cursor = oldest.ContactIds[^1],
            Pages = state.State.Pages + 1,
            Job = job with
            {
                Processed = job.Processed + oldest.ContactIds.Length,
                Enrolled = job.Enrolled + outcome.Enrolled,
                Skipped = job.Skipped + outcome.Skipped.Values.Sum(),
                SkippedByReason = skipped,
            },
        };
        await state.WriteStateAsync(CancellationToken.None);
    }

    private void RequeueFirst(InFlightPage page)
    {
        var rest = _inFlight.ToArray();
        _inFlight.Clear();
        _inFlight.Enqueue(page);
        foreach (var p in rest) _inFlight.Enqueue(p);
    }

    private async Task FinishAsync(EnrollmentJobStatus status, string? error)
    {
        var job = state.State.Job!;
        state.State = state.State with { Job = job with { Status = status, Error = error, CompletedAt = time.GetUtcNow() } };
        await state.WriteStateAsync();
        var reminder = await this.GetReminder(KeepAlive);
        if (reminder is not null) await this.UnregisterReminder(reminder);
        _inFlight.Clear();
        _timer?.Dispose();
        LogInformationFinished(logger, JobId, FlowId, status, job.Processed, job.Enrolled, job.Skipped, SensitiveText.Mask(error));
        DeactivateOnIdle();
    }

    private sealed record InFlightPage(ImmutableArray<string> ContactIds, Task<EnrollmentPageOutcome> Outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Enrollment job {JobId} of flow {FlowId} started on segment {SegmentId} with {Total} members")]
    private static partial void LogInformationStarted(ILogger logger, string jobId, string flowId, string segmentId, long total);

    [LoggerMessage(Level = LogLevel.Information, Message = "Enrollment job {JobId} of flow {FlowId} {Status}: {Processed} processed, {Enrolled} enrolled, {Skipped} skipped. {Error}")]
    private static partial void LogInformationFinished(ILogger logger, string jobId, string flowId, EnrollmentJobStatus status, long processed, long enrolled, long skipped, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Enrollment job {JobId} of flow {FlowId}: the page from contact {FirstContactId} failed and is sent again")]
    private static partial void LogWarningPageFailed(ILogger logger, Exception exception, string jobId, string flowId, string firstContactId);
}
