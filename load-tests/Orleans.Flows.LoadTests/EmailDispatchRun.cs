using System.Diagnostics;
using System.Text;
using Npgsql;

namespace Orleans.Flows.LoadTests;

/// <summary>
/// Watches the service send the emails that were queued before it started: once a second smtp-sink's counter and the
/// CPU of the service, PostgreSQL, smtp-sink, this program and the machine, every few seconds the outbox's counts by
/// status, until every email has an outcome (or nothing moves for <see cref="BenchmarkOptions.Stall"/>, or the time
/// limit passes).
/// Then the figures from the database: the rate from the first <c>sent_at</c> to the last, and the checks: every
/// email sent, none failed, none claimed twice, smtp-sink received each once.
/// </summary>
public sealed class EmailDispatchRun(BenchmarkOptions options, DispatchFigures figures, string connectionString, ServiceProcess service, SmtpSink sink,
    ProcessMonitor monitor, Stopwatch clock, Action<string> log)
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CountEvery = TimeSpan.FromSeconds(5);

    /// <summary>One look: seconds since the service started, smtp-sink's count, the outbox's (-1 when not read this time), CPU seconds so far.</summary>
    private readonly record struct Sample(double Seconds, long SinkMessages, long Done, double Service, double Postgres, double Sink, double Harness, double Machine);

    /// <param name="serviceStarted">When the service process was started, and the CPU then.</param>
    public async Task RunAsync(DateTimeOffset serviceStarted, CpuSnapshot cpuAtStart, CancellationToken cancellationToken)
    {
        var n = options.Emails;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        // The count below reads the whole table: one process, not a parallel query that starts workers every time.
        await using (var serial = new NpgsqlCommand("set max_parallel_workers_per_gather = 0", connection))
            await serial.ExecuteNonQueryAsync(cancellationToken);
        var samples = new List<Sample> { new(0, 0, 0, cpuAtStart.ServiceSeconds, cpuAtStart.PostgresSeconds, 0, cpuAtStart.HarnessSeconds, cpuAtStart.MachineBusySeconds) };
        var startedAt = cpuAtStart.Wall;
        var limit = TimeSpan.FromSeconds(options.TimeoutScale * (120 + n / 100.0));
        var lastProgress = clock.Elapsed;
        var lastLog = clock.Elapsed;
        TimeSpan? lastCount = null;
        long done = -1, sent = 0, failed = 0;
        while (true)
        {
            await Task.Delay(Poll, cancellationToken);
            if (service.HasExited) throw new BenchmarkException($"the service exited with code {service.ExitCode} while sending\n{service.Tail()}");
            // smtp-sink's counter each second (free); the outbox, whose count reads the table, every few seconds
            // and each second once smtp-sink has had every email: the end is when every email's outcome is written.
            var received = sink.Messages;
            var read = received >= n || lastCount is not { } counted || clock.Elapsed - counted >= CountEvery;
            if (read)
            {
                (sent, failed) = await CountsAsync(connection, cancellationToken);
                lastCount = clock.Elapsed;
            }
            var cpu = monitor.Cpu();
            var sample = new Sample((cpu.Wall - startedAt).TotalSeconds, received, read ? sent + failed : -1, cpu.ServiceSeconds, cpu.PostgresSeconds,
                ProcessMonitor.ProcessSeconds(sink.Id), cpu.HarnessSeconds, cpu.MachineBusySeconds);
            samples.Add(sample);
            figures.Samples.Add([Math.Round(sample.Seconds, 2), received, sample.Done, Math.Round(monitor.Memory().RssKb / 1024.0, 1)]);
            if (received + sent + failed != done)
            {
                done = received + sent + failed;
                lastProgress = clock.Elapsed;
            }
            if (read && sent + failed >= n)
            {
                figures.Outcome = failed == 0 ? "all sent" : "every email has an outcome";
                break;
            }
            if (clock.Elapsed - lastProgress > options.Stall)
            {
                figures.Outcome = $"stalled: nothing moved for {options.Stall.TotalSeconds:0} s ({sent:N0} sent, {failed:N0} failed in the outbox, smtp-sink {received:N0})";
                break;
            }
            if (clock.Elapsed - startedAt > limit)
            {
                figures.Outcome = $"gave up after {limit.TotalSeconds:0} s ({sent:N0} sent, {failed:N0} failed in the outbox, smtp-sink {received:N0})";
                break;
            }
            if (clock.Elapsed - lastLog >= TimeSpan.FromSeconds(10))
            {
                lastLog = clock.Elapsed;
                var recent = samples[Math.Max(0, samples.Count - 11)];
                log($"smtp-sink {received:N0} of {n:N0} (outbox: {sent:N0} sent, {failed:N0} failed); last 10 s: {(received - recent.SinkMessages) / (sample.Seconds - recent.Seconds):N0}/s, " +
                    $"service {Cores(recent, sample, s => s.Service):0.00} cores, PostgreSQL {Cores(recent, sample, s => s.Postgres):0.00}, smtp-sink {Cores(recent, sample, s => s.Sink):0.00}");
            }
        }
        log(figures.Outcome);
        figures.WholeCpu = Cpu(samples[0], samples[^1]);
        var from = samples.FindIndex(s => s.SinkMessages >= 0.1 * n);
        var to = samples.FindIndex(s => s.SinkMessages >= 0.9 * n);
        if (from >= 0 && to > from)
        {
            figures.SteadyCpu = Cpu(samples[from], samples[to]);
            figures.SteadySeconds = Round(samples[to].Seconds - samples[from].Seconds);
            figures.SteadyPerSecond = Round((samples[to].SinkMessages - samples[from].SinkMessages) / (samples[to].Seconds - samples[from].Seconds));
        }

        // smtp-sink counts a message when its final "." arrives, before it replies: by the time the outcome is
        // recorded the count is there. A moment for the last counters to be printed.
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        await ReadOutcomesAsync(connection, serviceStarted, cancellationToken);
        var (rss, hwm) = monitor.Memory();
        figures.RssAtEndMiB = Round(rss / 1024.0);
        figures.PeakHwmMiB = Round(hwm / 1024.0);
    }

    /// <summary>After the service and smtp-sink have stopped: smtp-sink's final counts, the dump's Message-IDs, and the checks.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var n = options.Emails;
        figures.SinkMessages = sink.Messages;
        figures.SinkSessions = sink.Sessions;
        if (sink.DumpFile is { } dump && File.Exists(dump))
        {
            var (ids, distinct) = await MessageIdsAsync(dump, cancellationToken);
            figures.MessageIds = ids;
            figures.DistinctMessageIds = distinct;
            figures.DumpBytes = new FileInfo(dump).Length;
            File.Delete(dump);
            log($"smtp-sink's dump: {ids:N0} Message-IDs, {distinct:N0} distinct");
        }
        void Problem(string problem)
        {
            figures.Problems.Add(problem);
            log("PROBLEM: " + problem);
        }
        if (figures.Sent != n) Problem($"{figures.Sent:N0} of {n:N0} emails sent ({figures.Failed:N0} failed, {figures.Queued:N0} still queued): {figures.Outcome}");
        if (figures.Failed > 0) Problem($"{figures.Failed:N0} emails failed: {string.Join("; ", figures.Errors.Select(e => $"{e.Key} ×{e.Value:N0}"))}");
        if (figures.ClaimedMoreThanOnce > 0) Problem($"{figures.ClaimedMoreThanOnce:N0} emails were claimed more than once (a retry or an expired claim)");
        if (figures.SinkMessages != figures.Sent)
            Problem($"smtp-sink received {figures.SinkMessages:N0} messages, the outbox says {figures.Sent:N0} sent: " +
                    (figures.SinkMessages > figures.Sent ? "some were sent more than once, or sent without their outcome recorded" : "some recorded as sent never arrived"));
        if (figures.MessageIds is { } found && (found != figures.Sent || figures.DistinctMessageIds != found))
            Problem($"smtp-sink's dump holds {found:N0} Message-IDs, {figures.DistinctMessageIds:N0} distinct, for {figures.Sent:N0} emails sent");
        log($"checks: {figures.Sent:N0} sent, {figures.Failed:N0} failed, {figures.Queued:N0} queued, {figures.ClaimedMoreThanOnce:N0} claimed more than once; " +
            $"smtp-sink received {figures.SinkMessages:N0} in {figures.SinkSessions:N0} sessions");
    }

    private async Task ReadOutcomesAsync(NpgsqlConnection connection, DateTimeOffset serviceStarted, CancellationToken cancellationToken)
    {
        await using (var totals = new NpgsqlCommand("""
            select count(*) filter (where status = 'sent'), count(*) filter (where status = 'failed'), count(*) filter (where status = 'queued'),
                   count(*) filter (where attempts > 1), min(sent_at), max(sent_at)
            from flows_outbox
            """, connection))
        {
            await using var reader = await totals.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            figures.Sent = reader.GetInt64(0);
            figures.Failed = reader.GetInt64(1);
            figures.Queued = reader.GetInt64(2);
            figures.ClaimedMoreThanOnce = reader.GetInt64(3);
            if (!reader.IsDBNull(4))
            {
                var first = reader.GetFieldValue<DateTimeOffset>(4);
                var last = reader.GetFieldValue<DateTimeOffset>(5);
                figures.SendSeconds = Round((last - first).TotalSeconds);
                figures.PerSecond = figures.SendSeconds > 0 ? Round(figures.Sent / (last - first).TotalSeconds) : null;
                figures.FromStartSeconds = Round((last - serviceStarted).TotalSeconds);
            }
        }
        await using var errors = new NpgsqlCommand(
            "select coalesce(error, '(no error)'), count(*) from flows_outbox where status <> 'sent' group by 1 order by 2 desc limit 5", connection);
        await using var rows = await errors.ExecuteReaderAsync(cancellationToken);
        while (await rows.ReadAsync(cancellationToken)) figures.Errors[rows.GetString(0)] = rows.GetInt64(1);
        log($"{figures.Sent:N0} sent from the first sent_at to the last in {figures.SendSeconds:0.0} s: {figures.PerSecond:N0}/s " +
            $"(steady, 10 % to 90 %: {figures.SteadyPerSecond:N0}/s; the last {figures.FromStartSeconds:0.0} s after the service started)");
    }

    private static async Task<(long Sent, long Failed)> CountsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var count = new NpgsqlCommand("select count(*) filter (where status = 'sent'), count(*) filter (where status = 'failed') from flows_outbox", connection);
        await using var reader = await count.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>The Message-ID header of every message in smtp-sink's dump, counted, and how many distinct.</summary>
    private static async Task<(long Found, long Distinct)> MessageIdsAsync(string dump, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long found = 0;
        using var reader = new StreamReader(dump, Encoding.UTF8, false, 1 << 20);
        string? line;
        while ((line = await reader.ReadLineAsync(cancellationToken)) is not null)
        {
            if (!line.StartsWith("Message-ID:", StringComparison.OrdinalIgnoreCase)) continue;
            found++;
            seen.Add(line["Message-ID:".Length..].Trim());
        }
        return (found, seen.Count);
    }

    private static DispatchCpu Cpu(Sample a, Sample b)
    {
        var seconds = b.Seconds - a.Seconds;
        return new DispatchCpu
        {
            Seconds = Round(seconds),
            Service = Round(Cores(a, b, s => s.Service)),
            Postgres = Round(Cores(a, b, s => s.Postgres)),
            Sink = Round(Cores(a, b, s => s.Sink)),
            Harness = Round(Cores(a, b, s => s.Harness)),
            Machine = Round(Cores(a, b, s => s.Machine)),
        };
    }

    private static double Cores(Sample a, Sample b, Func<Sample, double> cpu) => b.Seconds > a.Seconds ? (cpu(b) - cpu(a)) / (b.Seconds - a.Seconds) : 0;

    private static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 2) : -1;
}
