using System.Diagnostics;
using System.Globalization;

namespace Orleans.Flows.LoadTests;

/// <summary>CPU time used so far by the service, PostgreSQL, this program and the whole machine.</summary>
public readonly record struct CpuSnapshot(TimeSpan Wall, double ServiceSeconds, double PostgresSeconds, double HarnessSeconds, double MachineBusySeconds);

/// <summary>One RSS sample of the service.</summary>
public readonly record struct RssSample(double Seconds, long RssKb, long HwmKb, string Phase);

/// <summary>
/// Samples the service's memory every second (<c>VmRSS</c> and <c>VmHWM</c> of <c>/proc/&lt;pid&gt;/status</c>) and reads
/// CPU times from <c>/proc</c> on demand: the service, the PostgreSQL server (postmaster, its live children, and the
/// children it has reaped) and the machine as a whole, whose other users share the same cores.
/// </summary>
public sealed class ProcessMonitor : IAsyncDisposable
{
    // USER_HZ: the unit of the CPU times in /proc, 100 on every Linux this runs on.
    private const double TicksPerSecond = 100;

    private readonly int _servicePid;
    private readonly int _postmasterPid;
    private readonly Stopwatch _clock;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<RssSample> _samples = [];
    private readonly Lock _lock = new();
    private readonly Task _sampling;

    public ProcessMonitor(int servicePid, int postmasterPid, Stopwatch clock)
    {
        _servicePid = servicePid;
        _postmasterPid = postmasterPid;
        _clock = clock;
        _sampling = SampleAsync(_stop.Token);
    }

    /// <summary>The phase the samples are labelled with.</summary>
    public string Phase { get; set; } = "start";

    public IReadOnlyList<RssSample> Samples
    {
        get
        {
            lock (_lock) return [.. _samples];
        }
    }

    /// <summary>The service's memory now: VmRSS and VmHWM in KiB (0 when the process is gone).</summary>
    public (long RssKb, long HwmKb) Memory()
    {
        try
        {
            long rss = 0, hwm = 0;
            foreach (var line in File.ReadLines($"/proc/{_servicePid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line);
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kb(line);
            }
            return (rss, hwm);
        }
        catch (IOException)
        {
            return (0, 0);
        }
    }

    public CpuSnapshot Cpu() => new(
        _clock.Elapsed,
        ProcessSeconds(_servicePid, withChildren: false),
        PostgresSeconds(),
        Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
        MachineBusySeconds());

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _sampling;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            var (rss, hwm) = Memory();
            if (rss > 0)
                lock (_lock) _samples.Add(new RssSample(Math.Round(_clock.Elapsed.TotalSeconds, 1), rss, hwm, Phase));
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private double PostgresSeconds()
    {
        var total = ProcessSeconds(_postmasterPid, withChildren: true);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == _postmasterPid) continue;
            if (Stat(pid) is { } stat && stat.ParentPid == _postmasterPid) total += stat.Seconds;
        }
        return total;
    }

    /// <summary>CPU seconds process <paramref name="pid"/> has used (0 when it is gone).</summary>
    public static double ProcessSeconds(int pid) => ProcessSeconds(pid, withChildren: false);

    private static double ProcessSeconds(int pid, bool withChildren) =>
        Stat(pid) is { } stat ? stat.Seconds + (withChildren ? stat.ChildSeconds : 0) : 0;

    /// <summary>Fields of <c>/proc/&lt;pid&gt;/stat</c> after the command name: ppid, and utime, stime, cutime, cstime.</summary>
    private static (int ParentPid, double Seconds, double ChildSeconds)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        // The command name is in parentheses and may contain spaces: the fields start after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        static long F(string[] f, int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
        // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
        return (int.Parse(fields[1], CultureInfo.InvariantCulture), (F(fields, 11) + F(fields, 12)) / TicksPerSecond, (F(fields, 13) + F(fields, 14)) / TicksPerSecond);
    }

    /// <summary>Busy CPU time of all cores together: the first line of /proc/stat less idle and iowait.</summary>
    private static double MachineBusySeconds()
    {
        var first = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = first.Skip(1).Take(8).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var busy = values.Sum() - values[3] - values[4];
        return busy / TicksPerSecond;
    }

    private static long Kb(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
