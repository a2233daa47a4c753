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
                     $"{Duration(result)}, commit {result.GitCommit ?? "unknown"}, figures in [`{jsonPath}`]({jsonPath}).");
        s.AppendLine();
        s.AppendLine("```bash");
        s.AppendLine(result.Command);
        s.AppendLine("```");
        s.AppendLine();
        if (result.Status != "ok")
        {
            s.AppendLine($"**This run failed its checks** (every phase ran; the figures below are what it measured):");
            s.AppendLine();
            foreach (var problem in (result.Error ?? "").Split('\n')) s.AppendLine($"- {problem}");
            s.AppendLine();
        }
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
        s.AppendLine(Notes(previous));
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
