namespace Orleans.Flows.LoadTests;

/// <summary>A run's failure with a message that says what happened and where to look.</summary>
public sealed class BenchmarkException(string message) : Exception(message);

/// <summary>Everything one benchmark run measured; written as <c>load-tests/results/&lt;timestamp&gt;.json</c>.</summary>
public sealed class BenchmarkResult
{
    public string Status { get; set; } = "running";
    public string? Error { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string Command { get; set; } = "";
    public string? GitCommit { get; set; }
    public MachineInfo Machine { get; set; } = new();
    public Dictionary<string, string> Postgres { get; set; } = [];
    public BenchmarkOptions? Options { get; set; }
    public ModeResult? Main { get; set; }
    public ModeResult? Baseline { get; set; }
    /// <summary>The email dispatch benchmark (<c>--emails N</c>), which runs instead of the two modes above.</summary>
    public DispatchFigures? Dispatch { get; set; }
}

public sealed class MachineInfo
{
    public int Cores { get; set; }
    public string? CpuModel { get; set; }
    public double MemoryGiB { get; set; }
    public string? Kernel { get; set; }
    public string? Dotnet { get; set; }
    public string? DataFileSystem { get; set; }
}

/// <summary>One service configuration (the engine's defaults, or the plain ADO.NET baseline) and its figures.</summary>
public sealed class ModeResult
{
    public string Mode { get; set; } = "";
    public Dictionary<string, string> Settings { get; set; } = [];
    public int Participants { get; set; }
    public int Due { get; set; }
    public int Events { get; set; }
    public string? ServiceLog { get; set; }
    public ImportFigures? Import { get; set; }
    public EnrollmentFigures? Enrollment { get; set; }
    public EnrollmentFigures? DueEnrollment { get; set; }
    public MemoryFigures Memory { get; set; } = new();
    public WakeUpFigures? WakeUp { get; set; }
    public EventFigures? Ingestion { get; set; }
    public InvariantFigures? Outbox { get; set; }
    public List<PhaseFigures> Phases { get; set; } = [];
    public List<string> Warnings { get; set; } = [];
    /// <summary>What makes the run fail although every phase ran: messages lost or repeated, wake-ups that never came.</summary>
    public List<string> Problems { get; set; } = [];
    /// <summary>[seconds since the run started, VmRSS MiB] once a second.</summary>
    public List<double[]> Rss { get; set; } = [];
}

public sealed class ImportFigures
{
    public long Contacts { get; set; }
    public long Rejected { get; set; }
    public double Seconds { get; set; }
    public double PerSecond { get; set; }
}

public sealed class EnrollmentFigures
{
    public string Flow { get; set; } = "";
    public string Segment { get; set; } = "";
    public string Method { get; set; } = "";
    public int Participants { get; set; }
    /// <summary>From the enrollment request until the statistics show every participant waiting after its first send.</summary>
    public double Seconds { get; set; }
    public double PerSecond { get; set; }
    /// <summary>When the job said completed (or the last participants request answered), from the request.</summary>
    public double? JobSeconds { get; set; }
    public long? SegmentCount { get; set; }
    public long Skipped { get; set; }
}

public sealed class MemoryFigures
{
    public double? RssBeforeEnrollmentMiB { get; set; }
    /// <summary>VmRSS after every participant of flow A waits and the settle time has passed.</summary>
    public double? RssWhileWaitingMiB { get; set; }
    public int? Waiting { get; set; }
    /// <summary>The kernel's high-water mark of the service's RSS (VmHWM) over its whole life.</summary>
    public double? PeakHwmMiB { get; set; }
    public double? PeakAtSeconds { get; set; }
    public string? PeakPhase { get; set; }
}

public sealed class WakeUpFigures
{
    public int Due { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public double LeadSeconds { get; set; }
    /// <summary>How many of flow B waited when the due moment came (should be all).</summary>
    public long WaitingAtDue { get; set; }
    public long Woken { get; set; }
    public string Source { get; set; } = "";
    /// <summary>From the due moment until the statistics showed every participant of flow B completed: all woken. Null when they never did.</summary>
    public double? AllCompletedSeconds { get; set; }
    /// <summary>Participants of flow B completed when the benchmark stopped watching, and when that count last rose.</summary>
    public long Completed { get; set; }
    public double LastProgressSeconds { get; set; }
    /// <summary>"all completed", or why the benchmark stopped watching (stalled, time limit).</summary>
    public string Outcome { get; set; } = "";
    /// <summary>Completed ÷ seconds from the due moment until the last of them (<see cref="AllCompletedSeconds"/> when all did).</summary>
    public double PerSecond { get; set; }
    /// <summary>From the due moment until the last participant ran its step after the wait (its history; the write came after).</summary>
    public double LastRanSeconds { get; set; }
    public double LatenessP50Seconds { get; set; }
    public double LatenessP99Seconds { get; set; }
    public double LatenessMaxSeconds { get; set; }
}

public sealed class EventFigures
{
    public int Events { get; set; }
    public long Accepted { get; set; }
    public long Duplicates { get; set; }
    /// <summary>Contacts the events went to, round robin: the same in both modes unless told otherwise, so that they compare.</summary>
    public int DistinctContacts { get; set; }
    public int Batch { get; set; }
    public int Parallel { get; set; }
    public double Seconds { get; set; }
    public double PerSecond { get; set; }
}

public sealed class InvariantFigures
{
    public bool Holds { get; set; }
    /// <summary>flow/step → expected rows (each a distinct contact).</summary>
    public Dictionary<string, long> Expected { get; set; } = [];
    /// <summary>flow/step → rows found, and distinct contacts among them.</summary>
    public Dictionary<string, long[]> Found { get; set; } = [];
}

/// <summary>Where the CPU went during one phase, in cores (CPU seconds a second).</summary>
public sealed class PhaseFigures
{
    public string Name { get; set; } = "";
    public double Seconds { get; set; }
    public double ServiceCores { get; set; }
    public double PostgresCores { get; set; }
    public double HarnessCores { get; set; }
    /// <summary>All busy cores of the machine; what is beyond the three above is someone else's.</summary>
    public double MachineBusyCores { get; set; }
}

/// <summary>The email dispatch benchmark: N queued emails in the outbox sent to smtp-sink by the service's dispatchers.</summary>
public sealed class DispatchFigures
{
    public int Emails { get; set; }
    /// <summary>The settings the service got beyond the benchmark's own (--email-env).</summary>
    public Dictionary<string, string> Settings { get; set; } = [];
    /// <summary>Delivery:BatchSize, Delivery:Parallelism, Smtp:Connections as the service ran: set, or the engine's defaults.</summary>
    public Dictionary<string, string> Effective { get; set; } = [];
    public string? ServiceLog { get; set; }
    public string? Sink { get; set; }
    /// <summary>Characters of a rendered email's html and text part (the average), and how long the fill took.</summary>
    public int HtmlChars { get; set; }
    public int TextChars { get; set; }
    public double FillSeconds { get; set; }

    /// <summary>Rows of flows_outbox by status when the benchmark stopped watching.</summary>
    public long Sent { get; set; }
    public long Failed { get; set; }
    public long Queued { get; set; }
    /// <summary>The most frequent errors of rows not sent, with their counts.</summary>
    public Dictionary<string, long> Errors { get; set; } = [];
    /// <summary>Rows claimed more than once (attempts above 1): a retry, or a claim that ran out.</summary>
    public long ClaimedMoreThanOnce { get; set; }
    /// <summary>"all sent", or why the benchmark stopped watching.</summary>
    public string Outcome { get; set; } = "";

    /// <summary>From the first sent_at to the last.</summary>
    public double? SendSeconds { get; set; }
    /// <summary>Sent ÷ <see cref="SendSeconds"/>: the figure.</summary>
    public double? PerSecond { get; set; }
    /// <summary>From the service's start (the process) until the last sent_at: start-up included.</summary>
    public double? FromStartSeconds { get; set; }
    /// <summary>Between the samples in which smtp-sink's count first reached 10 % and 90 % of the emails: the steady rate, without start and tail.</summary>
    public double? SteadyPerSecond { get; set; }
    public double? SteadySeconds { get; set; }

    /// <summary>Messages smtp-sink received (its <c>-c</c> counter) and the SMTP sessions it saw end.</summary>
    public long SinkMessages { get; set; }
    public long SinkSessions { get; set; }
    /// <summary>With --sink-dump: Message-ID headers found in what smtp-sink received, and how many distinct.</summary>
    public long? MessageIds { get; set; }
    public long? DistinctMessageIds { get; set; }
    public long? DumpBytes { get; set; }

    public double? PeakHwmMiB { get; set; }
    public double? RssAtEndMiB { get; set; }

    /// <summary>Cores used while 10 % to 90 % were sent, and over the whole dispatch (service start to the last send).</summary>
    public DispatchCpu? SteadyCpu { get; set; }
    public DispatchCpu? WholeCpu { get; set; }

    /// <summary>[seconds since the service started, smtp-sink messages, emails with an outcome in the outbox (-1: not read that second), service RSS MiB] once a second.</summary>
    public List<double[]> Samples { get; set; } = [];
    public List<string> Problems { get; set; } = [];
    public List<string> Warnings { get; set; } = [];
}

/// <summary>Cores (CPU seconds a second) of each process over a stretch of the dispatch.</summary>
public sealed class DispatchCpu
{
    public double Seconds { get; set; }
    public double Service { get; set; }
    public double Postgres { get; set; }
    public double Sink { get; set; }
    public double Harness { get; set; }
    public double Machine { get; set; }
}
