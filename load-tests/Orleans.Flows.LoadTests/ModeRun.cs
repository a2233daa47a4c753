using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Orleans.Flows.Silo.Import;

namespace Orleans.Flows.LoadTests;

/// <summary>One service configuration under test: its name, sizes, extra settings, and the slowest rate its timeouts allow.</summary>
public sealed record ModeSetup(string Name, int Participants, int Due, int Events, int EventContacts, IReadOnlyDictionary<string, string> Settings, double FloorPerSecond);

/// <summary>
/// The journey of one mode against a running service: seed the contacts with the importer, two filter segments, flow
/// A (send → wait two hours → send) on everyone and flow B (send → wait until T → send) on the first <c>due</c>, enroll
/// with the enrollment job, read the silo's RSS while everyone waits, wake flow B at T, post events, and check the outbox.
/// </summary>
public sealed class ModeRun(ModeSetup setup, BenchmarkOptions options, FlowsClient api, ProcessMonitor monitor, string connectionString, string workFolder, Action<string> log, Func<string> serviceTail)
{
    public const string Content = "bench-email";
    public const string FlowA = "bench-a";
    public const string FlowB = "bench-b";
    public const string SegmentAll = "bench-all";
    public const string SegmentDue = "bench-due";
    public const string StepAfterWait = "after";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    public async Task RunAsync(ModeResult result, CancellationToken cancellationToken)
    {
        var n = setup.Participants;
        var due = setup.Due;

        result.Import = await PhaseAsync(result, "seed contacts", () => SeedAsync(cancellationToken));

        await PhaseAsync(result, "segments and flows", async () =>
        {
            await api.PutContentAsync(Content);
            if (options.StaticSegments)
            {
                result.Warnings.Add("static segments (--static-segments): a smoke run, not the benchmark's filter segments");
                await api.PutStaticSegmentAsync(SegmentAll, ContactIds(n), cancellationToken);
                await api.PutStaticSegmentAsync(SegmentDue, ContactIds(due), cancellationToken);
            }
            else
            {
                await api.PutFilterSegmentAsync(SegmentAll, "attributes.cohort", "bench");
                await api.PutFilterSegmentAsync(SegmentDue, "attributes.wave", "due");
            }
            // Far beyond the run: flow A's participants all wait while the run goes on.
            await api.CreateSendWaitSendAsync(FlowA, Content, DateTimeOffset.UtcNow.AddHours(2), cancellationToken);
            return 0;
        });
        result.Memory.RssBeforeEnrollmentMiB = MiB(monitor.Memory().RssKb);

        result.Enrollment = await PhaseAsync(result, "enroll flow A", () => EnrollAsync(FlowA, SegmentAll, n, Timeout(n), cancellationToken));
        if (options.EnrollWith == EnrollMethod.Participants)
            result.Warnings.Add("enrolled through POST /v1/flows/{id}/participants (--enroll-with participants), not the enrollment job");

        await PhaseAsync(result, "settle", async () =>
        {
            await Task.Delay(options.Settle, cancellationToken);
            var (rss, _) = monitor.Memory();
            result.Memory.RssWhileWaitingMiB = MiB(rss);
            result.Memory.Waiting = (int)(await api.StatsAsync(FlowA, cancellationToken)).Waiting;
            log($"silo RSS with {result.Memory.Waiting:N0} participants waiting: {result.Memory.RssWhileWaitingMiB:N0} MiB");
            return 0;
        });

        // T: late enough for every participant of B to be enrolled and waiting well before it, judged by A's rate.
        var lead = TimeSpan.FromSeconds(Math.Max(options.DueLead.TotalSeconds, 20 + 2.0 * due / Math.Max(result.Enrollment.PerSecond, 1)));
        var dueAt = DateTimeOffset.UtcNow + lead;
        dueAt = dueAt.AddTicks(-(dueAt.Ticks % TimeSpan.TicksPerMillisecond)); // as the flow definition carries it
        log($"flow B: {due:N0} participants due at {dueAt:HH:mm:ss.fff} UTC, in {lead.TotalSeconds:0} s");
        var wake = new WakeUpFigures { Due = due, DueAt = dueAt, LeadSeconds = Math.Round(lead.TotalSeconds, 1) };
        result.WakeUp = wake;
        await PhaseAsync(result, "create and enroll flow B", async () =>
        {
            await api.CreateSendWaitSendAsync(FlowB, Content, dueAt, cancellationToken);
            var until = dueAt - DateTimeOffset.UtcNow;
            try
            {
                result.DueEnrollment = await EnrollAsync(FlowB, SegmentDue, due, until, cancellationToken);
            }
            catch (BenchmarkException ex)
            {
                result.Warnings.Add($"flow B was not all enrolled and waiting before its due moment: {ex.Message.Split('\n')[0]}");
                log("WARNING: " + result.Warnings[^1]);
            }
            return 0;
        });

        await PhaseAsync(result, "wait for the due moment", async () =>
        {
            var left = dueAt - DateTimeOffset.UtcNow;
            if (left > TimeSpan.Zero) await Task.Delay(left, cancellationToken);
            wake.WaitingAtDue = (await api.StatsAsync(FlowB, cancellationToken)).Waiting;
            return 0;
        });

        await PhaseAsync(result, "wake-up", async () =>
        {
            await WatchWakeUpsAsync(wake, cancellationToken);
            var history = await BenchDatabase.WakeUpsAsync(connectionString, FlowB, StepAfterWait, cancellationToken);
            wake.Source = history.Source;
            wake.Woken = history.Count;
            wake.LastRanSeconds = Round(history.LastAt is { } last ? (last - dueAt).TotalSeconds : double.NaN);
            wake.LatenessP50Seconds = Round(history.P50);
            wake.LatenessP99Seconds = Round(history.P99);
            wake.LatenessMaxSeconds = Round(history.Max);
            if (history.Count != wake.Completed)
                result.Warnings.Add($"flow B: {history.Count:N0} history entries of step '{StepAfterWait}' in {history.Source}, but the statistics count {wake.Completed:N0} completed");
            if (wake.AllCompletedSeconds is null)
            {
                result.Problems.Add($"flow B: only {wake.Completed:N0} of {due:N0} woken and completed; {wake.Outcome}");
                log("PROBLEM: " + result.Problems[^1]);
            }
            log($"wake-up: {wake.Completed:N0} of {due:N0} completed, " +
                (wake.AllCompletedSeconds is { } all ? $"all {all:0.0} s after T" : $"the last {wake.LastProgressSeconds:0.0} s after T") +
                $" ({wake.PerSecond:N0}/s); the last step after the wait ran at T + {wake.LastRanSeconds:0.0} s; lateness p50 {wake.LatenessP50Seconds:0.00} s, " +
                $"p99 {wake.LatenessP99Seconds:0.00} s, max {wake.LatenessMaxSeconds:0.00} s (of those woken)");
            return 0;
        });

        if (setup.Events > 0) result.Ingestion = await PhaseAsync(result, "events over HTTP", () => PostEventsAsync(cancellationToken));

        result.Outbox = await PhaseAsync(result, "checks", async () =>
        {
            var invariant = new InvariantFigures
            {
                Expected = new Dictionary<string, long> { [$"{FlowA}/first"] = n, [$"{FlowB}/first"] = due, [$"{FlowB}/{StepAfterWait}"] = due },
                Found = await BenchDatabase.OutboxAsync(connectionString, [FlowA, FlowB], cancellationToken),
            };
            invariant.Holds = invariant.Expected.Count == invariant.Found.Count &&
                              invariant.Expected.All(e => invariant.Found.TryGetValue(e.Key, out var f) && f[0] == e.Value && f[1] == e.Value);
            var a = await api.StatsAsync(FlowA, cancellationToken);
            if (a.Waiting != n) result.Warnings.Add($"flow A: {a.Waiting:N0} waiting at the end, expected {n:N0}");
            return invariant;
        });
        var found = string.Join(", ", result.Outbox.Found.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} {f.Value[0]:N0} rows / {f.Value[1]:N0} contacts"));
        log($"outbox: {found}");
        if (!result.Outbox.Holds)
        {
            result.Problems.Add($"messages lost or repeated: flows_outbox holds {found}; expected {string.Join(", ", result.Outbox.Expected.Select(e => $"{e.Key} {e.Value:N0}"))}");
            log("PROBLEM: " + result.Problems[^1]);
        }
    }

    /// <summary>
    /// Polls flow B's statistics until every participant completed. A wake-up that stalls (no participant completes
    /// for <see cref="BenchmarkOptions.Stall"/>) or outlasts its time limit is a result, not a failure of the run: the
    /// count reached and when it last rose are kept, and the outbox check then reports the messages missing.
    /// </summary>
    private async Task WatchWakeUpsAsync(WakeUpFigures wake, CancellationToken cancellationToken)
    {
        var limit = TimeSpan.FromSeconds(60) + Timeout(wake.Due);
        var clock = Stopwatch.StartNew();
        var lastLog = TimeSpan.Zero;
        var lastProgress = TimeSpan.Zero;
        var completed = -1L;
        while (true)
        {
            var stats = await api.StatsAsync(FlowB, cancellationToken);
            var sinceT = (DateTimeOffset.UtcNow - wake.DueAt).TotalSeconds;
            if (stats.Completed != completed)
            {
                completed = stats.Completed;
                lastProgress = clock.Elapsed;
                wake.Completed = completed;
                wake.LastProgressSeconds = Round(sinceT);
            }
            if (completed >= wake.Due)
            {
                wake.AllCompletedSeconds = Round(sinceT);
                wake.PerSecond = Round(wake.Due / Math.Max(sinceT, 0.001));
                wake.Outcome = "all completed";
                return;
            }
            var stalled = clock.Elapsed - lastProgress > options.Stall;
            if (stalled || clock.Elapsed > limit)
            {
                wake.PerSecond = Round(completed / Math.Max(wake.LastProgressSeconds, 0.001));
                wake.Outcome = stalled
                    ? $"stalled: no participant completed for {options.Stall.TotalSeconds:0} s (waiting {stats.Waiting:N0}, active {stats.Active:N0}, failed {stats.Failed:N0})"
                    : $"gave up after {limit.TotalSeconds:0} s (waiting {stats.Waiting:N0}, active {stats.Active:N0}, failed {stats.Failed:N0})";
                return;
            }
            if (clock.Elapsed - lastLog >= TimeSpan.FromSeconds(10))
            {
                lastLog = clock.Elapsed;
                log($"{FlowB}: {completed:N0} of {wake.Due:N0} completed, T + {sinceT:0} s");
            }
            await Task.Delay(Poll, cancellationToken);
        }
    }

    /// <summary>Writes N contacts as NDJSON (all in cohort "bench", the first <c>due</c> also in wave "due") and imports them with the import command's importer.</summary>
    private async Task<ImportFigures> SeedAsync(CancellationToken cancellationToken)
    {
        var file = Path.Combine(workFolder, $"{setup.Name}-contacts.ndjson");
        await using (var writer = new StreamWriter(file, append: false, new UTF8Encoding(false), 1 << 20))
        {
            for (var i = 0; i < setup.Participants; i++)
            {
                var wave = i < setup.Due ? ",\"wave\":\"due\"" : "";
                var id = ContactId(i);
                await writer.WriteLineAsync($$$"""{"id":"{{{id}}}","email":"{{{id}}}@bench.example","firstName":"Bench","attributes":{"cohort":"bench"{{{wave}}}}}""");
            }
        }
        var import = new ContactFileImport(api.Http,
            new ContactImportOptions { BatchSize = options.ImportBatch, Parallel = options.ImportParallel, ProgressInterval = TimeSpan.FromSeconds(10) },
            new PrefixWriter(log, "import: "), new PrefixWriter(log, "import error: "));
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(120) + Timeout(setup.Participants));
        var imported = await import.ImportFileAsync(file, limit.Token);
        File.Delete(file);
        if (imported.ExitCode != 0 || imported.Imported != setup.Participants)
            throw new BenchmarkException($"seeding imported {imported.Imported:N0} of {setup.Participants:N0} contacts ({imported.Rejected:N0} rejected): {imported.Failure ?? "see the errors above"}\n{serviceTail()}");
        return new ImportFigures { Contacts = imported.Imported, Rejected = imported.Rejected, Seconds = Round(imported.Elapsed.TotalSeconds), PerSecond = Round(imported.PerSecond) };
    }

    /// <summary>
    /// Enrolls a segment and measures from the request until the statistics show every participant waiting, that is
    /// past its first send: the rate the goal speaks of.
    /// </summary>
    private async Task<EnrollmentFigures> EnrollAsync(string flowId, string segmentId, int expected, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var figures = new EnrollmentFigures
        {
            Flow = flowId,
            Segment = segmentId,
            Participants = expected,
            Method = options.EnrollWith == EnrollMethod.Job ? "enrollment job" : "participants endpoint",
            SegmentCount = await api.SegmentCountAsync(segmentId, cancellationToken),
        };
        if (figures.SegmentCount is { } count && count != expected)
            log($"WARNING: segment {segmentId} counts {count:N0} members, expected {expected:N0}");
        var clock = Stopwatch.StartNew();
        Task<long?> enrolling;
        if (options.EnrollWith == EnrollMethod.Job)
        {
            var jobId = await api.StartEnrollmentJobAsync(flowId, segmentId, cancellationToken);
            log($"{flowId}: enrollment job {jobId} started for segment {segmentId}");
            enrolling = WatchJobAsync(flowId, jobId, clock, figures, cancellationToken);
        }
        else
        {
            enrolling = EnrollByIdsAsync(flowId, expected, clock, figures, cancellationToken);
        }

        var lastLog = TimeSpan.Zero;
        await UntilAsync($"{flowId}: every participant waiting after its first send ({expected:N0})", timeout,
            async () =>
            {
                if (enrolling.IsFaulted) await enrolling;
                var stats = await api.StatsAsync(flowId, cancellationToken);
                if (clock.Elapsed - lastLog >= TimeSpan.FromSeconds(10))
                {
                    lastLog = clock.Elapsed;
                    log($"{flowId}: {stats.Waiting:N0} of {expected:N0} waiting, {stats.Enrolled:N0} enrolled ({stats.Waiting / clock.Elapsed.TotalSeconds:N0}/s)");
                }
                return stats;
            },
            s => s.Waiting >= expected,
            s => $"enrolled {s.Enrolled:N0}, waiting {s.Waiting:N0}, active {s.Active:N0}, exited {s.Exited:N0}, failed {s.Failed:N0}", cancellationToken);
        figures.Seconds = Round(clock.Elapsed.TotalSeconds);
        figures.PerSecond = Round(expected / clock.Elapsed.TotalSeconds);
        figures.Skipped = await enrolling ?? 0;
        log($"{flowId}: {expected:N0} enrolled and waiting in {figures.Seconds:0.0} s ({figures.PerSecond:N0}/s)");
        return figures;
    }

    /// <summary>Follows the job until it completes; returns its skipped count. A failed job fails the run.</summary>
    private async Task<long?> WatchJobAsync(string flowId, string jobId, Stopwatch clock, EnrollmentFigures figures, CancellationToken cancellationToken)
    {
        while (true)
        {
            var job = await api.JobAsync(flowId, jobId, cancellationToken);
            if (job.Status == "failed") throw new BenchmarkException($"{flowId}: enrollment job {jobId} failed: processed {job.Processed:N0} of {job.Total:N0}\n{serviceTail()}");
            if (job.Status == "completed")
            {
                figures.JobSeconds = Round(clock.Elapsed.TotalSeconds);
                log($"{flowId}: job completed after {figures.JobSeconds:0.0} s: total {job.Total:N0}, enrolled {job.Enrolled:N0}, skipped {job.Skipped:N0}");
                return job.Skipped;
            }
            await Task.Delay(Poll, cancellationToken);
        }
    }

    /// <summary>For a build without enrollment jobs: the contact ids 10 000 a request, a few requests in flight.</summary>
    private async Task<long?> EnrollByIdsAsync(string flowId, int count, Stopwatch clock, EnrollmentFigures figures, CancellationToken cancellationToken)
    {
        const int Chunk = 10_000;
        var next = -Chunk;
        long skipped = 0;
        var workers = Enumerable.Range(0, 2).Select(async _ =>
        {
            int start;
            while ((start = Interlocked.Add(ref next, Chunk)) < count)
            {
                var ids = Enumerable.Range(start, Math.Min(Chunk, count - start)).Select(ContactId).ToList();
                var enrolled = await api.EnrollAsync(flowId, ids, cancellationToken);
                Interlocked.Add(ref skipped, ids.Count - enrolled);
            }
        });
        await Task.WhenAll(workers);
        figures.JobSeconds = Round(clock.Elapsed.TotalSeconds);
        return skipped;
    }

    /// <summary>Events of type <c>bench.ping</c> to the contacts round robin, in batches, several requests in flight.</summary>
    private async Task<EventFigures> PostEventsAsync(CancellationToken cancellationToken)
    {
        var total = setup.Events;
        var contacts = Math.Min(total, setup.EventContacts);
        var batch = options.EventBatch;
        var batches = (total + batch - 1) / batch;
        var next = -1;
        long accepted = 0, duplicates = 0;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(120) + Timeout(total));
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, options.EventParallel).Select(async _ =>
        {
            await Task.Yield();
            int b;
            while ((b = Interlocked.Increment(ref next)) < batches)
            {
                var body = EventBatch(b * batch, Math.Min(batch, total - b * batch), contacts);
                var (a, d) = await api.PostEventsAsync(body, limit.Token);
                Interlocked.Add(ref accepted, a);
                Interlocked.Add(ref duplicates, d);
            }
        });
        try
        {
            await Task.WhenAll(workers);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BenchmarkException($"posting {total:N0} events did not finish in time: {accepted:N0} accepted\n{serviceTail()}");
        }
        var seconds = clock.Elapsed.TotalSeconds;
        if (accepted != total) throw new BenchmarkException($"events: {accepted:N0} of {total:N0} accepted, {duplicates:N0} duplicates");
        log($"events: {accepted:N0} accepted in {seconds:0.0} s ({accepted / seconds:N0}/s) over {contacts:N0} contacts");
        return new EventFigures
        {
            Events = total, Accepted = accepted, Duplicates = duplicates, DistinctContacts = contacts, Batch = batch, Parallel = options.EventParallel,
            Seconds = Round(seconds), PerSecond = Round(accepted / seconds),
        };
    }

    private byte[] EventBatch(int first, int count, int contacts)
    {
        var buffer = new ArrayBufferWriter<byte>(count * 96);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("events");
            for (var i = first; i < first + count; i++)
            {
                json.WriteStartObject();
                json.WriteString("id", $"bench-{setup.Name}-{i}");
                json.WriteString("contactId", ContactId(i % contacts));
                json.WriteString("type", "bench.ping");
                json.WriteStartObject("properties");
                json.WriteNumber("n", i);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Runs a phase and records where the CPU went meanwhile.</summary>
    private async Task<T> PhaseAsync<T>(ModeResult result, string name, Func<Task<T>> phase)
    {
        log($"-- {name}");
        monitor.Phase = name;
        var before = monitor.Cpu();
        try
        {
            return await phase();
        }
        finally
        {
            var after = monitor.Cpu();
            var seconds = (after.Wall - before.Wall).TotalSeconds;
            double Cores(double from, double to) => Round(seconds > 0 ? (to - from) / seconds : 0);
            result.Phases.Add(new PhaseFigures
            {
                Name = name,
                Seconds = Round(seconds),
                ServiceCores = Cores(before.ServiceSeconds, after.ServiceSeconds),
                PostgresCores = Cores(before.PostgresSeconds, after.PostgresSeconds),
                HarnessCores = Cores(before.HarnessSeconds, after.HarnessSeconds),
                MachineBusyCores = Cores(before.MachineBusySeconds, after.MachineBusySeconds),
            });
        }
    }

    private async Task<T> UntilAsync<T>(string what, TimeSpan timeout, Func<Task<T>> probe, Func<T, bool> done, Func<T, string> describe, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var last = await probe();
        while (!done(last))
        {
            if (clock.Elapsed > timeout)
                throw new BenchmarkException($"timed out after {clock.Elapsed.TotalSeconds:0} s waiting for {what}: {describe(last)}\n{serviceTail()}");
            await Task.Delay(Poll, cancellationToken);
            last = await probe();
        }
        return last;
    }

    /// <summary>A phase's time limit: as long as <paramref name="count"/> items take at the slowest rate this mode is expected to reach.</summary>
    private TimeSpan Timeout(int count) => TimeSpan.FromSeconds(options.TimeoutScale * (60 + count / setup.FloorPerSecond));

    private static List<string> ContactIds(int count) => [.. Enumerable.Range(0, count).Select(ContactId)];

    public static string ContactId(int i) => "c" + i.ToString(CultureInfo.InvariantCulture);

    private static double MiB(long kb) => Round(kb / 1024.0);

    private static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 2) : -1;

    /// <summary>Hands each line the importer writes to the benchmark's log.</summary>
    private sealed class PrefixWriter(Action<string> log, string prefix) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void WriteLine(string? value) => log(prefix + value);

        public override void Write(char value)
        {
            // The importer writes whole lines only.
        }
    }
}
