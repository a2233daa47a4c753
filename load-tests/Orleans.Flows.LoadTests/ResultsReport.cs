using System.Globalization;
using System.Text;

namespace Orleans.Flows.LoadTests;

/// <summary>
/// <c>load-tests/RESULTS.md</c> from a run's figures: the command, the machine, PostgreSQL's settings, the figures of
/// both modes against the goals, and where the CPU went. The hand-written part between
/// <see cref="NotesStart"/> and <see cref="NotesEnd"/> is carried over from the previous file.
/// </summary>
public static class ResultsReport
{
    public const string NotesStart = "<!-- notes: kept when the benchmark rewrites this file -->";
    public const string NotesEnd = "<!-- /notes -->";

    /// <summary>The email dispatch section: rewritten by a run with --emails, carried over as it is by the other runs.</summary>
    public const string DispatchStart = "<!-- email-dispatch: written by run.sh --emails N, kept by the other runs -->";
    public const string DispatchEnd = "<!-- /email-dispatch -->";
    /// <summary>The hand-written notes of the email dispatch section, kept when a run with --emails rewrites it.</summary>
    public const string DispatchNotesStart = "<!-- email-notes: kept when the benchmark rewrites this file -->";
    public const string DispatchNotesEnd = "<!-- /email-notes -->";

    private const double GoalEmailsPerSecond = 2_000;

    private const int GoalParticipants = 1_000_000;
    private const int GoalDue = 100_000;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// One line of the table: how to read the figure from a mode, and its goal. A goal holds at a size: below it a
    /// rate is still compared (and says so), while a time or an amount of memory for a smaller N says nothing.
    /// </summary>
    private sealed record Figure(string Name, Func<ModeResult, double?> Value, string Format, string Goal, Func<ModeResult, double, bool>? Met, Func<ModeResult, bool>? AtGoalSize, bool IsRate = false, bool Ratio = true);

    private static readonly Figure[] Figures =
    [
        new("contacts imported a second (seeding, extra)", m => m.Import?.PerSecond, "N0", "", null, null, IsRate: true),
        new("enrollment: participants a second (request → all waiting after their first send)", m => m.Enrollment?.PerSecond, "N0",
            "≥ 8 300/s (1 000 000 in < 2 min)", (_, v) => v >= 8_300, m => m.Participants >= GoalParticipants, IsRate: true),
        new("enrollment: seconds for all N", m => m.Enrollment?.Seconds, "N1", "< 120 s at 1 000 000", (_, v) => v < 120, m => m.Participants >= GoalParticipants),
        new("wake-up: participants of flow B completed (of `due`)", m => m.WakeUp?.Completed, "N0", "all", (m, v) => v >= m.Due, _ => true, Ratio: false),
        new("wake-up: seconds from T until the statistics show all `due` completed", m => m.WakeUp?.AllCompletedSeconds, "N1", "≤ 20 s for 100 000",
            (_, v) => v <= 20, m => m.Due >= GoalDue),
        new("wake-up: participants a second (`due` ÷ those seconds)", m => m.WakeUp?.PerSecond, "N0", "≥ 5 000/s (implied)", (_, v) => v >= 5_000, m => m.Due >= GoalDue, IsRate: true),
        new("wake-up: seconds from T until the last step after the wait ran (history)", m => m.WakeUp?.LastRanSeconds, "N1", "", null, null),
        new("wake-up lateness p50 (s)", m => m.WakeUp?.LatenessP50Seconds, "N2", "", null, null),
        new("wake-up lateness p99 (s)", m => m.WakeUp?.LatenessP99Seconds, "N2", "< 10 s", (_, v) => v < 10, m => m.Due >= GoalDue),
        new("wake-up lateness max (s)", m => m.WakeUp?.LatenessMaxSeconds, "N2", "", null, null),
        new("silo RSS while N wait (MiB)", m => m.Memory.RssWhileWaitingMiB, "N0", "< 1 536 MiB (1.5 GiB) at 1 000 000",
            (_, v) => v < 1_536, m => m.Participants >= GoalParticipants),
        new("silo peak RSS of the run, VmHWM (MiB)", m => m.Memory.PeakHwmMiB, "N0", "", null, null),
        new("events over HTTP a second", m => m.Ingestion?.PerSecond, "N0", "≥ 20 000/s", (_, v) => v >= 20_000, _ => true, IsRate: true),
    ];

    public static string Markdown(BenchmarkResult result, string jsonPath, string previous)
    {
        var main = result.Main!;
        var baseline = result.Baseline;
        var s = new StringBuilder();
        s.AppendLine("# Benchmark results");
        s.AppendLine();
        s.AppendLine("Rewritten by `load-tests/run.sh` after each run whose phases all ran (see [README.md](README.md)); every run's figures stay in");
        s.AppendLine($"`load-tests/results/`. Latest run: {result.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Invariant)} UTC, " +
                     $"{Duration(result)}, commit {result.GitCommit ?? "unknown"}, figures in [`{jsonPath}`]({jsonPath}). " +
                     "The email dispatch benchmark (`--emails N`) has a [section of its own](#email-dispatch) at the end.");
        s.AppendLine();
        AppendCommandAndProblems(s, result, "failed its checks** (every phase ran; the figures below are what it measured):");
        var m = result.Machine;
        s.AppendLine($"**Machine**: {m.Cores} cores ({m.CpuModel ?? "unknown CPU"}), {m.MemoryGiB.ToString("0.0", Invariant)} GiB RAM, Linux {m.Kernel}, {m.Dotnet}. " +
                     "The service, PostgreSQL and the benchmark itself share these cores (and so may other work on the machine: see the last column of the CPU tables).");
        s.AppendLine();
        var pg = result.Postgres;
        s.AppendLine($"**PostgreSQL** {pg.GetValueOrDefault("server_version")}, private to the run, data on {m.DataFileSystem ?? "an unknown file system"}: " +
                     "durability as PostgreSQL ships it (" + string.Join(", ", new[] { "fsync", "synchronous_commit", "full_page_writes" }.Select(k => $"`{k}={pg.GetValueOrDefault(k)}`")) +
                     "), capacity raised (" + string.Join(", ", PrivatePostgres.Settings.Keys.Select(k => $"`{k}={pg.GetValueOrDefault(k)}`")) + "), every other setting default.");
        s.AppendLine();
        var segments = result.Options?.StaticSegments == true
            ? "segment `bench-all` (in this run a static list of those contacts, not the filter `attributes.cohort = bench`)"
            : "filter segment `attributes.cohort = bench`";
        var enrollment = result.Options?.EnrollWith == EnrollMethod.Participants ? "`POST /v1/flows/{id}/participants` (in this run, instead of the enrollment job)" : "the enrollment job";
        s.AppendLine($"**Journeys**: flow A (send email → wait until two hours later → send email) enrolls every contact of the {segments} " +
                     $"with {enrollment}; flow B (send → wait until a moment T → send) enrolls the first `due` of them (`attributes.wave = due`), all due at T. " +
                     $"Main: the engine's defaults{Settings(main)}." + (baseline is null ? " No baseline in this run." : $" Baseline: {Settings(baseline).TrimStart(';', ' ')}."));
        s.AppendLine();
        s.AppendLine("| figure | main | baseline | main ÷ baseline | goal | met? |");
        s.AppendLine("|---|---:|---:|---:|---|---|");
        s.AppendLine($"| N participants of flow A · `due` of flow B · events | {Sizes(main)} | {(baseline is null ? "—" : Sizes(baseline))} | | 1 000 000 · 100 000 · — | |");
        foreach (var figure in Figures)
        {
            var a = figure.Value(main);
            var b = baseline is null ? null : figure.Value(baseline);
            // Times and memory grow with N: between runs of different sizes only rates compare.
            var sameSize = baseline is not null && baseline.Participants == main.Participants && baseline.Due == main.Due;
            var ratio = !figure.Ratio ? ""
                : !figure.IsRate && !sameSize ? (a is null || b is null ? "" : "(sizes differ)")
                : a is { } x && b is { } y && y != 0 ? (x / y).ToString("0.##", Invariant) + "×" : "";
            var met = "";
            if (figure.Met is not null && a is { } value)
            {
                var atSize = figure.AtGoalSize?.Invoke(main) != false;
                met = atSize ? (figure.Met(main, value) ? "yes" : "no")
                    : figure.IsRate ? (figure.Met(main, value) ? "yes" : "no") + ", at this smaller size"
                    : "— (N below the goal's size)";
            }
            s.AppendLine($"| {figure.Name} | {Format(a, figure.Format)} | {Format(b, figure.Format)} | {ratio} | {figure.Goal} | {met} |");
        }
        s.AppendLine();
        s.AppendLine("Ratios are main ÷ baseline: above 1 is better for rates, below 1 is better for seconds and memory; seconds, lateness and " +
                     "memory are compared only between runs of the same size. " +
                     "Lateness is `at − scheduledAt` of the step after the wait, from every participant's history in the database " +
                     "(`at` is when the step ran; its state was written after).");
        s.AppendLine();
        s.AppendLine("**Checked invariant, nothing lost or repeated**: `flows_outbox` holds exactly one message per participant and send " +
                     "(flow A: N first sends; flow B: `due` first and `due` second sends), each for a distinct contact — " +
                     $"main: {Checked(main)}" + (baseline is null ? "." : $"; baseline: {Checked(baseline)}."));
        s.AppendLine();
        s.AppendLine($"**Events** went to {Count(main.Ingestion?.DistinctContacts)} contacts (main) and {Count(baseline?.Ingestion?.DistinctContacts)} (baseline), " +
                     $"round robin (the same contacts in both, so that the modes compare; `--event-contacts`), type `bench.ping`, " +
                     $"{main.Ingestion?.Batch} a request, {main.Ingestion?.Parallel} requests in flight. " +
                     $"**RSS** is VmRSS of the service process {Seconds(result.Options?.Settle)} after every participant of flow A waits; the peak is VmHWM, " +
                     $"reached by the main service {Peak(main)}" + (baseline is null ? "." : $" and by the baseline's {Peak(baseline)}."));
        var warnings = main.Warnings.Select(w => "main: " + w).Concat(baseline?.Warnings.Select(w => "baseline: " + w) ?? []).ToList();
        if (warnings.Count > 0)
        {
            s.AppendLine();
            s.AppendLine("**Warnings of this run**:");
            foreach (var warning in warnings) s.AppendLine($"- {warning}");
        }
        s.AppendLine();
        s.AppendLine("## Where the CPU went");
        s.AppendLine();
        s.AppendLine($"Cores used during each phase (CPU seconds a second, out of {m.Cores}), from `/proc`: the service process, PostgreSQL (all its processes), " +
                     "the benchmark program, and the whole machine (the rest of which is someone else's).");
        foreach (var mode in new[] { main, baseline }.OfType<ModeResult>())
        {
            s.AppendLine();
            s.AppendLine($"{mode.Mode}:");
            s.AppendLine();
            s.AppendLine("| phase | seconds | service | PostgreSQL | benchmark | whole machine |");
            s.AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var p in mode.Phases)
                s.AppendLine(string.Create(Invariant, $"| {p.Name} | {p.Seconds:0.0} | {p.ServiceCores:0.00} | {p.PostgresCores:0.00} | {p.HarnessCores:0.00} | {p.MachineBusyCores:0.00} |"));
        }
        s.AppendLine();
        s.AppendLine("## What limits it");
        s.AppendLine();
        s.AppendLine(Notes(previous.Split(DispatchStart)[0]));
        if (DispatchSection(previous) is { } dispatch)
        {
            s.AppendLine();
            s.AppendLine(dispatch);
        }
        return s.ToString();
    }

    /// <summary>
    /// The file with its email dispatch section rewritten from <paramref name="result"/> (a run with --emails); the
    /// rest of <paramref name="previous"/>, the participant benchmark's report, stays as it was.
    /// </summary>
    public static string WithDispatch(BenchmarkResult result, string jsonPath, string previous)
    {
        var before = previous.Split(DispatchStart)[0].TrimEnd();
        if (before.Length == 0) before = "# Benchmark results";
        return before + "\n\n" + DispatchMarkdown(result, jsonPath, DispatchSection(previous) ?? "") + "\n";
    }

    /// <summary>The email dispatch section of a previous file, markers included, or null.</summary>
    private static string? DispatchSection(string previous)
    {
        var start = previous.IndexOf(DispatchStart, StringComparison.Ordinal);
        var end = previous.IndexOf(DispatchEnd, StringComparison.Ordinal);
        return start >= 0 && end > start ? previous[start..(end + DispatchEnd.Length)] : null;
    }

    private static string DispatchMarkdown(BenchmarkResult result, string jsonPath, string previousSection)
    {
        var d = result.Dispatch!;
        var s = new StringBuilder();
        s.AppendLine(DispatchStart);
        s.AppendLine("## Email dispatch");
        s.AppendLine();
        s.AppendLine($"Rewritten by `load-tests/run.sh --emails N` (see [README.md](README.md)); the runs above keep it. Latest run: " +
                     $"{result.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Invariant)} UTC, {Duration(result)}, commit {result.GitCommit ?? "unknown"}, " +
                     $"figures in [`{jsonPath}`]({jsonPath}).");
        s.AppendLine();
        AppendCommandAndProblems(s, result, $"{result.Status}** (the figures below are what it measured):");
        var m = result.Machine;
        var pg = result.Postgres;
        s.AppendLine($"**Machine**: {m.Cores} cores ({m.CpuModel ?? "unknown CPU"}), {m.MemoryGiB.ToString("0.0", Invariant)} GiB RAM, Linux {m.Kernel}, {m.Dotnet}; " +
                     $"the service, PostgreSQL {pg.GetValueOrDefault("server_version")?.Split(' ')[0]} (private, the settings above: " +
                     string.Join(", ", new[] { "fsync", "synchronous_commit" }.Select(k => $"`{k}={pg.GetValueOrDefault(k)}`")) +
                     $"), smtp-sink and the benchmark share its cores.");
        s.AppendLine();
        s.AppendLine($"**What runs**: {d.Emails:N0} emails are written into `flows_outbox` as `queued` before the service starts (one binary COPY; each " +
                     $"rendered by the engine's `MessageComposer`: Liquid personalisation, six tracked links, the open pixel and the unsubscribe link; " +
                     $"html {d.HtmlChars:N0} and text {d.TextChars:N0} characters; to `cN@example.com`), then the table is vacuumed and analyzed and a checkpoint taken. " +
                     $"The service (durable cohost mode, log level Warning) starts with `Smtp:Host` pointing at Postfix's `smtp-sink` on loopback " +
                     $"(`{d.Sink}`): its dispatcher claims, sends over pooled SMTP connections and records each outcome. The benchmark reads smtp-sink's counter (a file) once a second and counts the outbox every 5 s. " +
                     $"Settings: {string.Join(", ", d.Effective.Select(e => $"`{e.Key}={e.Value}`"))}" +
                     (d.Settings.Count == 0 ? " (the engine's defaults)." : $" (set: {string.Join(" ", d.Settings.Select(e => $"`{e.Key}={e.Value}`"))}; the rest the engine's defaults)."));
        s.AppendLine();
        s.AppendLine("| figure | value | goal | met? |");
        s.AppendLine("|---|---:|---|---|");
        var met = d.PerSecond is { } rate && d.Problems.Count == 0 ? (rate >= GoalEmailsPerSecond ? "yes" : "no") : d.PerSecond is null ? "" : "no (checks failed)";
        s.AppendLine($"| **emails a second**, sent ÷ (last `sent_at` − first `sent_at`) | **{Format(d.PerSecond, "N0")}** | ≥ 2 000/s | {met} |");
        s.AppendLine($"| seconds from the first `sent_at` to the last | {Format(d.SendSeconds, "N1")} | | |");
        s.AppendLine($"| emails a second while smtp-sink's count went from 10 % to 90 % (steady) | {Format(d.SteadyPerSecond, "N0")} | | |");
        s.AppendLine($"| seconds from the service's start (process) to the last `sent_at`, start-up included | {Format(d.FromStartSeconds, "N1")} | | |");
        s.AppendLine($"| sent · failed · still queued (of {d.Emails:N0}) | {d.Sent:N0} · {d.Failed:N0} · {d.Queued:N0} | all sent | {(d.Sent == d.Emails ? "yes" : "no")} |");
        s.AppendLine($"| messages smtp-sink received (its `-c` counter) · SMTP sessions (the service's pooled connections, and the benchmark's one look that it listens) | {d.SinkMessages:N0} · {d.SinkSessions:N0} | = sent: each once | {(d.SinkMessages == d.Sent ? "yes" : "no")} |");
        s.AppendLine($"| rows claimed more than once (`attempts` > 1) | {d.ClaimedMoreThanOnce:N0} | 0 | {(d.ClaimedMoreThanOnce == 0 ? "yes" : "no")} |");
        s.AppendLine(d.MessageIds is { } ids
            ? $"| Message-IDs in smtp-sink's dump · distinct | {ids:N0} · {d.DistinctMessageIds:N0} | = sent, all distinct | {(ids == d.Sent && d.DistinctMessageIds == ids ? "yes" : "no")} |"
            : "| Message-IDs in smtp-sink's dump · distinct | not dumped in this run (`--sink-dump`) | | |");
        s.AppendLine($"| service RSS at the end · peak (VmHWM), MiB | {Format(d.RssAtEndMiB, "N0")} · {Format(d.PeakHwmMiB, "N0")} | | |");
        s.AppendLine($"| rendering and writing the {d.Emails:N0} emails beforehand (not measured as dispatch), s | {d.FillSeconds.ToString("N1", Invariant)} | | |");
        if (d.Errors.Count > 0) s.AppendLine($"| errors of the emails not sent | {string.Join("; ", d.Errors.Select(e => $"{e.Key} ×{e.Value:N0}"))} | | |");
        s.AppendLine();
        s.AppendLine($"Cores used (CPU seconds a second, out of {m.Cores}), from `/proc`:");
        s.AppendLine();
        s.AppendLine("| stretch | seconds | service | PostgreSQL | smtp-sink | benchmark | whole machine |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, cpu) in new[] { ("10 % → 90 % received by smtp-sink", d.SteadyCpu), ("service start → all sent", d.WholeCpu) })
            if (cpu is not null)
                s.AppendLine(string.Create(Invariant, $"| {name} | {cpu.Seconds:0.0} | {cpu.Service:0.00} | {cpu.Postgres:0.00} | {cpu.Sink:0.00} | {cpu.Harness:0.00} | {cpu.Machine:0.00} |"));
        if (d.Warnings.Count > 0)
        {
            s.AppendLine();
            foreach (var warning in d.Warnings) s.AppendLine($"- warning: {warning}");
        }
        s.AppendLine();
        s.AppendLine("### What limits email dispatch");
        s.AppendLine();
        var start = previousSection.IndexOf(DispatchNotesStart, StringComparison.Ordinal);
        var end = previousSection.IndexOf(DispatchNotesEnd, StringComparison.Ordinal);
        s.AppendLine(start >= 0 && end > start
            ? previousSection[start..(end + DispatchNotesEnd.Length)]
            : $"{DispatchNotesStart}\n(What the figures above show about the limits: write it here after a run; the benchmark keeps this part.)\n{DispatchNotesEnd}");
        s.Append(DispatchEnd);
        return s.ToString();
    }

    /// <summary>The dispatch figures as a plain table for the console.</summary>
    public static string DispatchTable(BenchmarkResult result)
    {
        var d = result.Dispatch!;
        var s = new StringBuilder();
        s.AppendLine($"status: {result.Status}");
        s.AppendLine(string.Create(Invariant, $"{"emails",-60} {d.Emails,12:N0}"));
        s.AppendLine(string.Create(Invariant, $"{"emails a second (first to last sent_at)",-60} {Format(d.PerSecond, "N0"),12}"));
        s.AppendLine(string.Create(Invariant, $"{"emails a second (10 % to 90 %)",-60} {Format(d.SteadyPerSecond, "N0"),12}"));
        s.AppendLine(string.Create(Invariant, $"{"sent · failed · queued",-60} {$"{d.Sent:N0} · {d.Failed:N0} · {d.Queued:N0}",12}"));
        s.AppendLine(string.Create(Invariant, $"{"smtp-sink messages · sessions",-60} {$"{d.SinkMessages:N0} · {d.SinkSessions:N0}",12}"));
        if (d.SteadyCpu is { } c)
            s.AppendLine(string.Create(Invariant, $"{"cores 10-90 %: service · PostgreSQL · smtp-sink · machine",-60} {c.Service:0.00} · {c.Postgres:0.00} · {c.Sink:0.00} · {c.Machine:0.00}"));
        return s.ToString();
    }

    /// <summary>The figures as a plain table for the console.</summary>
    public static string Table(BenchmarkResult result)
    {
        var s = new StringBuilder();
        s.AppendLine($"status: {result.Status}");
        if (result.Main is null) return s.ToString();
        s.AppendLine(string.Create(Invariant, $"{"figure",-86} {"main",12} {"baseline",12}"));
        s.AppendLine(string.Create(Invariant, $"{"N · due · events",-86} {Sizes(result.Main),12} {(result.Baseline is null ? "" : Sizes(result.Baseline)),12}"));
        foreach (var figure in Figures)
            s.AppendLine(string.Create(Invariant, $"{figure.Name,-86} {Format(figure.Value(result.Main), figure.Format),12} {(result.Baseline is null ? "" : Format(figure.Value(result.Baseline), figure.Format)),12}"));
        return s.ToString();
    }

    /// <summary>The command in a code block, then, for a run that is not ok, "**This run …" and its problems.</summary>
    private static void AppendCommandAndProblems(StringBuilder s, BenchmarkResult result, string notOk)
    {
        s.AppendLine("```bash");
        s.AppendLine(result.Command);
        s.AppendLine("```");
        s.AppendLine();
        if (result.Status == "ok") return;
        s.AppendLine("**This run " + notOk);
        s.AppendLine();
        foreach (var problem in (result.Error ?? "").Split('\n')) s.AppendLine($"- {problem}");
        s.AppendLine();
    }

    private static string Notes(string previous)
    {
        var start = previous.IndexOf(NotesStart, StringComparison.Ordinal);
        var end = previous.IndexOf(NotesEnd, StringComparison.Ordinal);
        if (start >= 0 && end > start) return previous[start..(end + NotesEnd.Length)];
        return $"{NotesStart}\n(What the figures above show about the limits: write it here after a run; the benchmark keeps this part.)\n{NotesEnd}";
    }

    private static string Peak(ModeResult m) =>
        m.Memory.PeakAtSeconds is { } at ? string.Create(Invariant, $"during \"{m.Memory.PeakPhase}\" ({at:0} s into the run)") : "at an unknown moment";

    private static string Sizes(ModeResult m) => string.Create(Invariant, $"{m.Participants:N0} · {m.Due:N0} · {m.Events:N0}");

    private static string Settings(ModeResult? m) =>
        m is null || m.Settings.Count == 0 ? "" : "; " + string.Join(" ", m.Settings.Select(s => $"`{s.Key}={s.Value}`"));

    private static string Checked(ModeResult m) => m.Outbox is null ? "not checked" : m.Outbox.Holds ? "holds" : "**does not hold**";

    private static string Format(double? value, string format) => value is { } v ? v.ToString(format, Invariant) : "—";

    private static string Count(int? value) => value is { } v ? v.ToString("N0", Invariant) : "—";

    private static string Seconds(TimeSpan? value) => value is { } v ? $"{v.TotalSeconds:0} s" : "a while";

    private static string Duration(BenchmarkResult result) =>
        result.FinishedAt is { } end ? $"{(end - result.StartedAt).TotalMinutes.ToString("0", Invariant)} min" : "unfinished";
}
