namespace Orleans.Flows.Silo.Import;

/// <summary>How <see cref="ContactFileImport"/> batches, sends and retries.</summary>
public sealed record ContactImportOptions
{
    /// <summary>The most contacts <c>POST /v1/contacts/batch</c> takes at once.</summary>
    public const int MaxBatchSize = 10_000;

    /// <summary>Contacts a request. Default 5 000, at most <see cref="MaxBatchSize"/>.</summary>
    public int BatchSize { get; init; } = 5_000;

    /// <summary>Requests in flight at once. Default 4.</summary>
    public int Parallel { get; init; } = 4;

    /// <summary>A batch is also sent once its body reaches this size, well below the API's 16 MiB limit. Default 8 MiB.</summary>
    public int MaxBatchBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>How often progress is printed. Default 5 s.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Retries of a batch after a transient failure (5xx, 408, 429, a connection error, a timeout). Default 6.</summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>First back-off delay, doubled each retry (with jitter) unless the API sends Retry-After. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest back-off delay. Default 30 s.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one attempt may take before it counts as a transient failure. Default 90 s.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Rejected rows printed one by one; the rest are only counted. Default 1 000.</summary>
    public int MaxErrorsShown { get; init; } = 1_000;

    /// <summary>The problem with these options, or null when they are usable.</summary>
    public string? Problem() =>
        BatchSize is < 1 or > MaxBatchSize ? $"--batch-size must be 1-{MaxBatchSize}"
        : Parallel is < 1 or > 64 ? "--parallel must be 1-64"
        : null;
}

/// <summary>What an import did. <see cref="Failure"/> is set when it could not finish (unreadable file, API unreachable or refusing).</summary>
public sealed record ContactImportResult(long Rows, long Imported, long Rejected, TimeSpan Elapsed, string? Failure)
{
    public double PerSecond => Elapsed.TotalSeconds > 0 ? Imported / Elapsed.TotalSeconds : 0;

    /// <summary>0 when every row was accepted, 1 when some were rejected, 2 when the import could not finish.</summary>
    public int ExitCode => Failure is not null ? 2 : Rejected > 0 ? 1 : 0;
}
