using System.Globalization;

namespace Orleans.Flows.LoadTests;

/// <summary>How participants are enrolled: the enrollment job over a segment (the benchmark), or the participants endpoint (a smoke run of a build without jobs).</summary>
public enum EnrollMethod { Job, Participants }

/// <summary>The command line of the benchmark; <see cref="Usage"/> lists it.</summary>
public sealed record BenchmarkOptions
{
    public const string Usage = """
        usage: ./load-tests/run.sh [options]
          --participants N          contacts and participants of flow A in the main run (default 20000)
          --due N                   participants of flow B, all due at one moment (default: half of --participants)
          --events N                events posted over HTTP (default 20000)
          --baseline-participants N the same run on the plain ADO.NET provider with one reminder per participant (default 20000)
          --baseline-due N          flow B in the baseline (default: the smaller of --due and --baseline-participants)
          --baseline-events N       events in the baseline (default: --events)
          --no-baseline             the main run only
          --import-batch N          contacts a request when seeding (default 5000)    --import-parallel N (default 4)
          --event-batch N           events a request (default 2000)                    --event-parallel N  (default 4)
          --event-contacts N        contacts the events go to, round robin, in both modes (default: the smaller
                                    of --participants and --baseline-participants, so that the modes compare)
          --settle S                seconds to wait after enrollment before reading the RSS of the waiting silo (default 15)
          --due-lead S              least seconds between flow B's enrollment and its due moment (default 30)
          --stall S                 stop watching the wake-ups when none completes for this long (default 180)
          --timeout-scale X         multiplies every phase's timeout (default 1)
          --main-env KEY=VALUE      extra setting of the main service (repeatable)
          --baseline-env KEY=VALUE  extra setting of the baseline service (repeatable; it always gets
                                    Storage__Participants=adoNet and WakeUps__Scheduler=reminders)
          --static-segments         static segments (contactIds) instead of filter segments: for a build without filter segments
          --enroll-with job|participants  the enrollment job (default) or POST /v1/flows/{id}/participants: for a build without jobs
          --emails N                instead of the runs above: the email dispatch benchmark. N queued emails are
                                    written into flows_outbox, then the service sends them to Postfix's smtp-sink
                                    (off unless given)
          --email-env KEY=VALUE     extra setting of the dispatch service (repeatable), e.g. Smtp__Connections=16,
                                    Delivery__Parallelism=128, Delivery__BatchSize=500
          --sink-dump               smtp-sink also writes every message to a file in /dev/shm, and the benchmark checks
                                    that each Message-ID arrived once (costs smtp-sink CPU: off by default)
          --no-report               write the JSON only, leave RESULTS.md as it is
          --report-from FILE        only rewrite RESULTS.md from the JSON of an earlier run (alone)
        """;

    public int Participants { get; init; } = 20_000;
    public int Due { get; init; } = -1;
    public int Events { get; init; } = 20_000;
    public int BaselineParticipants { get; init; } = 20_000;
    public int BaselineDue { get; init; } = -1;
    public int BaselineEvents { get; init; } = -1;
    public bool Baseline { get; init; } = true;
    public int ImportBatch { get; init; } = 5_000;
    public int ImportParallel { get; init; } = 4;
    public int EventBatch { get; init; } = 2_000;
    public int EventParallel { get; init; } = 4;
    public int EventContacts { get; init; } = -1;
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan DueLead { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan Stall { get; init; } = TimeSpan.FromSeconds(180);
    public double TimeoutScale { get; init; } = 1;
    public IReadOnlyDictionary<string, string> MainEnvironment { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> BaselineEnvironment { get; init; } = new Dictionary<string, string>();
    public bool StaticSegments { get; init; }
    public EnrollMethod EnrollWith { get; init; } = EnrollMethod.Job;
    public bool Report { get; init; } = true;
    /// <summary>Emails of the dispatch benchmark; 0 runs the participant benchmark instead.</summary>
    public int Emails { get; init; }
    public IReadOnlyDictionary<string, string> EmailEnvironment { get; init; } = new Dictionary<string, string>();
    public bool SinkDump { get; init; }

    public int MainDue => Due >= 0 ? Due : Participants / 2;
    public int BaselineDueCount => BaselineDue >= 0 ? BaselineDue : Math.Min(MainDue, BaselineParticipants);
    public int BaselineEventCount => BaselineEvents >= 0 ? BaselineEvents : Events;

    /// <summary>The same contacts in both modes, which each have at least that many.</summary>
    public int EventContactCount => Math.Min(
        EventContacts > 0 ? EventContacts : int.MaxValue,
        Baseline ? Math.Min(Participants, BaselineParticipants) : Participants);

    /// <summary>Reads the command line; throws <see cref="ArgumentException"/> with what is wrong.</summary>
    public static BenchmarkOptions Parse(string[] args)
    {
        var o = new BenchmarkOptions();
        var main = new Dictionary<string, string>();
        var baseline = new Dictionary<string, string>();
        var email = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            int Count() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"{arg} needs a whole number");
            double Number() => double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x > 0 ? x : throw new ArgumentException($"{arg} needs a positive number");
            o = arg switch
            {
                "--participants" => o with { Participants = Count() },
                "--due" => o with { Due = Count() },
                "--events" => o with { Events = Count() },
                "--baseline-participants" => o with { BaselineParticipants = Count() },
                "--baseline-due" => o with { BaselineDue = Count() },
                "--baseline-events" => o with { BaselineEvents = Count() },
                "--no-baseline" => o with { Baseline = false },
                "--import-batch" => o with { ImportBatch = Count() },
                "--import-parallel" => o with { ImportParallel = Count() },
                "--event-batch" => o with { EventBatch = Count() },
                "--event-parallel" => o with { EventParallel = Count() },
                "--event-contacts" => o with { EventContacts = Count() },
                "--settle" => o with { Settle = TimeSpan.FromSeconds(Count()) },
                "--due-lead" => o with { DueLead = TimeSpan.FromSeconds(Count()) },
                "--stall" => o with { Stall = TimeSpan.FromSeconds(Count()) },
                "--timeout-scale" => o with { TimeoutScale = Number() },
                "--main-env" => Add(o, main, Value(), arg),
                "--baseline-env" => Add(o, baseline, Value(), arg),
                "--static-segments" => o with { StaticSegments = true },
                "--enroll-with" => o with
                {
                    EnrollWith = Value() switch
                    {
                        "job" => EnrollMethod.Job,
                        "participants" => EnrollMethod.Participants,
                        var other => throw new ArgumentException($"--enroll-with is job or participants, not '{other}'"),
                    },
                },
                "--no-report" => o with { Report = false },
                "--emails" => o with { Emails = Count() },
                "--email-env" => Add(o, email, Value(), arg),
                "--sink-dump" => o with { SinkDump = true },
                _ => throw new ArgumentException($"unknown option '{arg}'"),
            };
        }
        o = o with { MainEnvironment = main, BaselineEnvironment = baseline, EmailEnvironment = email };
        if (args.Contains("--emails") && o.Emails < 1) throw new ArgumentException("--emails must be at least 1");
        if (o.Participants < 1) throw new ArgumentException("--participants must be at least 1");
        if (o.MainDue < 1 || o.MainDue > o.Participants) throw new ArgumentException("--due must be 1 to --participants");
        if (o.Baseline && (o.BaselineParticipants < 1 || o.BaselineDueCount < 1 || o.BaselineDueCount > o.BaselineParticipants))
            throw new ArgumentException("--baseline-participants must be at least 1 and --baseline-due 1 to --baseline-participants");
        if (o.Events < 0 || o.BaselineEvents < -1) throw new ArgumentException("--events must not be negative");
        if (o.ImportBatch is < 1 or > 10_000 || o.EventBatch is < 1 or > 10_000) throw new ArgumentException("a batch holds 1-10000");
        if (o.ImportParallel is < 1 or > 64 || o.EventParallel is < 1 or > 64) throw new ArgumentException("parallel requests: 1-64");
        return o;
    }

    private static BenchmarkOptions Add(BenchmarkOptions o, Dictionary<string, string> settings, string pair, string arg)
    {
        var equals = pair.IndexOf('=');
        if (equals < 1) throw new ArgumentException($"{arg} needs KEY=VALUE, not '{pair}'");
        settings[pair[..equals]] = pair[(equals + 1)..];
        return o;
    }
}
