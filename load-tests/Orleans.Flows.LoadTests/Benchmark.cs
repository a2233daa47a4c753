using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orleans.Flows.LoadTests;

/// <summary>
/// The whole run: a private PostgreSQL server; the main service (the engine's defaults) on a database of its own, then
/// the baseline service (plain ADO.NET storage for participants, one reminder per waiting participant) on another,
/// never both at once; each a real <c>dotnet</c> process whose RSS is sampled. Whatever happens, the services and the
/// server are stopped and the server's folder deleted; the JSON is written even for a failed run.
/// </summary>
public sealed class Benchmark(BenchmarkOptions options, string command, string root)
{
    private const string ApiKey = "bench-admin-key";
    private const string TrackingKey = "load-test-tracking-key-0123456789";

    /// <summary>The slowest rates the timeouts allow: the engine is expected to be far faster, the plain provider is not.</summary>
    private const double MainFloorPerSecond = 300;
    private const double BaselineFloorPerSecond = 20;

    public static readonly IReadOnlyDictionary<string, string> BaselineSettings = new Dictionary<string, string>
    {
        ["Storage__Participants"] = "adoNet",
        ["WakeUps__Scheduler"] = "reminders",
    };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _cleanupLock = new();
    private readonly List<Action> _cleanup = [];
    private readonly string _stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private string ResultsFolder => Path.Combine(root, "load-tests", "results");
    private string LogsFolder => Path.Combine(ResultsFolder, "logs");

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var result = new BenchmarkResult { StartedAt = DateTimeOffset.UtcNow, Command = command, Options = options, Machine = Machine(), GitCommit = GitCommit() };
        var apiDll = Path.Combine(root, "src", "Api", "bin", "Release", "net10.0", "Orleans.Flows.Api.dll");
        var siloDll = Path.Combine(root, "src", "Silo", "bin", "Release", "net10.0", "Orleans.Flows.Silo.dll");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => CleanUp();
        var work = Directory.CreateTempSubdirectory("flows-bench-").FullName;
        OnExit(() => Directory.Delete(work, recursive: true));
        PrivatePostgres? postgres = null;
        var status = 0;
        try
        {
            foreach (var dll in new[] { apiDll, siloDll })
                if (!File.Exists(dll)) throw new BenchmarkException($"{dll} does not exist: ./load-tests/run.sh builds it (dotnet build -c Release)");
            Log($"results: {Path.Combine(ResultsFolder, _stamp + ".json")}; logs: {LogsFolder}/{_stamp}-*.log");
            postgres = await PrivatePostgres.StartAsync(cancellationToken);
            var server = postgres;
            OnExit(server.Stop);
            result.Postgres = await postgres.ReadSettingsAsync(cancellationToken);
            result.Machine.DataFileSystem = FileSystemOf(postgres.DataFolder);
            Log($"PostgreSQL {result.Postgres["server_version"]} on port {postgres.Port} in {postgres.DataFolder} ({result.Machine.DataFileSystem}): " +
                string.Join(", ", result.Postgres.Where(s => s.Key != "server_version").Select(s => $"{s.Key}={s.Value}")));

            if (options.Emails > 0)
            {
                result.Dispatch = new DispatchFigures { Emails = options.Emails };
                await RunDispatchAsync(postgres, apiDll, siloDll, result.Dispatch, cancellationToken);
            }
            else
            {
                result.Main = new ModeResult();
                await RunModeAsync(postgres, apiDll, siloDll, work, result.Main,
                    new ModeSetup("main", options.Participants, options.MainDue, options.Events, options.EventContactCount, options.MainEnvironment, MainFloorPerSecond), cancellationToken);
                if (options.Baseline)
                {
                    result.Baseline = new ModeResult();
                    var settings = new Dictionary<string, string>(BaselineSettings);
                    foreach (var (key, value) in options.BaselineEnvironment) settings[key] = value;
                    await RunModeAsync(postgres, apiDll, siloDll, work, result.Baseline,
                        new ModeSetup("baseline", options.BaselineParticipants, options.BaselineDueCount, options.BaselineEventCount, options.EventContactCount, settings, BaselineFloorPerSecond), cancellationToken);
                }
            }
            var problems = new[] { result.Main, result.Baseline }.OfType<ModeResult>().SelectMany(m => m.Problems.Select(p => $"{m.Mode}: {p}"))
                .Concat(result.Dispatch?.Problems.Select(p => $"dispatch: {p}") ?? []).ToList();
            result.Status = problems.Count == 0 ? "ok" : "failed";
            if (problems.Count > 0)
            {
                result.Error = string.Join("\n", problems);
                Console.Error.WriteLine($"\nThe benchmark ran to its end but failed its checks:\n{result.Error}");
                status = 1;
            }
        }
        catch (Exception ex)
        {
            // The program's edge: whatever went wrong is reported, and the run's figures so far are kept.
            result.Status = cancellationToken.IsCancellationRequested ? "cancelled" : "failed";
            result.Error = cancellationToken.IsCancellationRequested ? "stopped by Ctrl-C or SIGTERM"
                : ex is BenchmarkException ? ex.Message
                : ex.ToString();
            Console.Error.WriteLine($"\nThe benchmark {result.Status}: {result.Error}");
            status = 1;
        }
        finally
        {
            if (postgres is not null) CopyServerLog(postgres);
            CleanUp();
        }

        result.FinishedAt = DateTimeOffset.UtcNow;
        Directory.CreateDirectory(ResultsFolder);
        var jsonPath = Path.Combine(ResultsFolder, _stamp + ".json");
        await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(result, Json), CancellationToken.None);
        Log($"wrote {jsonPath}");
        if (Complete(result) && options.Report) Log($"rewrote {await WriteReportAsync(result, jsonPath, root)}");
        Console.WriteLine();
        Console.WriteLine(result.Dispatch is null ? ResultsReport.Table(result) : ResultsReport.DispatchTable(result));
        return status;
    }

    /// <summary>Rewrites RESULTS.md from the figures of a run's JSON.</summary>
    public static async Task<int> RewriteReportAsync(string jsonPath, string root)
    {
        var result = JsonSerializer.Deserialize<BenchmarkResult>(await File.ReadAllTextAsync(jsonPath), Json);
        if (result is null || !Complete(result))
        {
            Console.Error.WriteLine($"{jsonPath} is not the JSON of a complete run");
            return 2;
        }
        Console.WriteLine($"rewrote {await WriteReportAsync(result, Path.GetFullPath(jsonPath), root)}");
        return 0;
    }

    /// <summary>Every phase ran: the figures are whole, whether or not the checks held.</summary>
    private static bool Complete(BenchmarkResult result) =>
        result.Status == "ok" || (result.Status == "failed" && (result.Dispatch is { } dispatch
            ? dispatch.Outcome.Length > 0 && dispatch.SinkSessions + dispatch.SinkMessages > 0
            : result.Main?.Outbox is not null && (result.Options?.Baseline != true || result.Baseline?.Outbox is not null)));

    private static async Task<string> WriteReportAsync(BenchmarkResult result, string jsonPath, string root)
    {
        var markdown = Path.Combine(root, "load-tests", "RESULTS.md");
        var previous = File.Exists(markdown) ? await File.ReadAllTextAsync(markdown, CancellationToken.None) : "";
        var relative = Path.GetRelativePath(Path.Combine(root, "load-tests"), jsonPath);
        var text = result.Dispatch is null ? ResultsReport.Markdown(result, relative, previous) : ResultsReport.WithDispatch(result, relative, previous);
        await File.WriteAllTextAsync(markdown, text, CancellationToken.None);
        return markdown;
    }

    private async Task RunModeAsync(PrivatePostgres postgres, string apiDll, string siloDll, string work, ModeResult result, ModeSetup setup, CancellationToken cancellationToken)
    {
        result.Mode = setup.Name;
        result.Participants = setup.Participants;
        result.Due = setup.Due;
        result.Events = setup.Events;
        result.Settings = new Dictionary<string, string>(setup.Settings);
        var database = "flows_" + setup.Name;
        Log($"==== {setup.Name}: {setup.Participants:N0} participants, {setup.Due:N0} due at once, {setup.Events:N0} events" +
            (setup.Settings.Count > 0 ? "; " + string.Join(" ", setup.Settings.Select(s => $"{s.Key}={s.Value}")) : "; the engine's defaults"));
        await postgres.CreateDatabaseAsync(database, cancellationToken);
        var connectionString = postgres.ConnectionString(database, pool: 100);
        var serviceConnection = $"Host=127.0.0.1;Port={postgres.Port};Database={database};Username=flows";
        await ServiceProcess.RunToEndAsync($"{setup.Name} migrate", siloDll, new Dictionary<string, string> { ["ConnectionStrings__Flows"] = serviceConnection },
            Path.Combine(LogsFolder, $"{_stamp}-{setup.Name}-migrate.log"), TimeSpan.FromMinutes(2), cancellationToken, "migrate");

        var port = PrivatePostgres.FreePort();
        var environment = ServiceEnvironment(serviceConnection, port);
        foreach (var (key, value) in setup.Settings) environment[key] = value;
        result.ServiceLog = Path.Combine(LogsFolder, $"{_stamp}-{setup.Name}-service.log");
        await using var service = ServiceProcess.Start($"{setup.Name} service", apiDll, environment, result.ServiceLog);
        OnExit(service.Kill);
        Log($"{setup.Name} service: pid {service.Id}, http://127.0.0.1:{port}, log {service.LogPath}");

        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
            Timeout = TimeSpan.FromMinutes(5),
        };
        http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        await service.WaitReadyAsync(http, TimeSpan.FromMinutes(3), cancellationToken);
        Log($"{setup.Name} service ready");

        var monitor = new ProcessMonitor(service.Id, postgres.PostmasterPid(), _clock);
        try
        {
            var run = new ModeRun(setup, options, new FlowsClient(http), monitor, connectionString, work, line => Log($"{setup.Name}: {line}"), () => service.Tail());
            await run.RunAsync(result, cancellationToken);
        }
        finally
        {
            var (_, hwm) = monitor.Memory();
            var phase = monitor.Phase;
            await monitor.DisposeAsync();
            RecordMemory(result, monitor.Samples, hwm, _clock.Elapsed.TotalSeconds, phase);
            await service.StopAsync(TimeSpan.FromSeconds(30));
            Log($"{setup.Name} service stopped; peak RSS (VmHWM) {result.Memory.PeakHwmMiB:N0} MiB during '{result.Memory.PeakPhase}'");
        }
        // The next mode gets the server to itself.
        await postgres.DropDatabaseAsync(database, cancellationToken);
    }

    /// <summary>What every service of the benchmark gets: its database, its ports, an admin key, tracking, log level Warning.</summary>
    private static Dictionary<string, string> ServiceEnvironment(string serviceConnection, int port) => new()
    {
        ["ConnectionStrings__Flows"] = serviceConnection,
        ["Urls"] = $"http://127.0.0.1:{port}",
        ["Orleans__SiloPort"] = PrivatePostgres.FreePort().ToString(CultureInfo.InvariantCulture),
        ["Orleans__GatewayPort"] = PrivatePostgres.FreePort().ToString(CultureInfo.InvariantCulture),
        ["Api__Keys__0__Key"] = ApiKey,
        ["Api__Keys__0__Role"] = "admin",
        ["Tracking__SigningKey"] = TrackingKey,
        ["Tracking__BaseUrl"] = $"http://127.0.0.1:{port}",
        ["Logging__LogLevel__Default"] = "Warning",
        // appsettings.json sets the engine's own categories to Information, which logs every message of the outbox.
        ["Logging__LogLevel__Orleans.Flows"] = "Warning",
    };

    /// <summary>
    /// The email dispatch benchmark: a database of its own with N queued emails written before the service starts,
    /// smtp-sink on a free port, and the service (durable cohost mode, the engine's defaults unless --email-env says
    /// otherwise) sending them; see <see cref="EmailDispatchRun"/>.
    /// </summary>
    private async Task RunDispatchAsync(PrivatePostgres postgres, string apiDll, string siloDll, DispatchFigures figures, CancellationToken cancellationToken)
    {
        const string Name = "dispatch";
        var database = "flows_" + Name;
        Log($"==== {Name}: {options.Emails:N0} emails to smtp-sink" +
            (options.EmailEnvironment.Count > 0 ? "; " + string.Join(" ", options.EmailEnvironment.Select(s => $"{s.Key}={s.Value}")) : "; the engine's defaults"));
        await postgres.CreateDatabaseAsync(database, cancellationToken);
        var connectionString = postgres.ConnectionString(database, pool: 10);
        var serviceConnection = $"Host=127.0.0.1;Port={postgres.Port};Database={database};Username=flows";
        await ServiceProcess.RunToEndAsync($"{Name} migrate", siloDll, new Dictionary<string, string> { ["ConnectionStrings__Flows"] = serviceConnection },
            Path.Combine(LogsFolder, $"{_stamp}-{Name}-migrate.log"), TimeSpan.FromMinutes(2), cancellationToken, "migrate");

        var port = PrivatePostgres.FreePort();
        Log($"outbox: rendering {options.Emails:N0} emails with the engine's composer and writing them as queued (COPY)");
        var fill = await EmailOutboxFill.WriteAsync(connectionString, options.Emails, $"http://127.0.0.1:{port}", TrackingKey, line => Log($"{Name}: {line}"), cancellationToken);
        figures.HtmlChars = fill.HtmlChars;
        figures.TextChars = fill.TextChars;
        figures.FillSeconds = fill.Seconds;
        Log($"outbox: {fill.Rows:N0} queued emails in {fill.Seconds:0.0} s; html {fill.HtmlChars:N0} and text {fill.TextChars:N0} characters each");

        // In memory: a dump on disk would make smtp-sink wait for the disk.
        var sinkFolder = Directory.Exists("/dev/shm")
            ? Directory.CreateDirectory(Path.Combine("/dev/shm", $"flows-bench-sink-{_stamp}-{Environment.ProcessId}")).FullName
            : Directory.CreateTempSubdirectory("flows-bench-sink-").FullName;
        OnExit(() => Directory.Delete(sinkFolder, recursive: true));
        using var sink = SmtpSink.Start(sinkFolder, options.SinkDump, maxConnections: 1000);
        OnExit(sink.Stop);
        await sink.WaitListeningAsync(TimeSpan.FromSeconds(10), cancellationToken);
        figures.Sink = sink.Arguments;
        Log($"{sink.Arguments} (pid {sink.Id})");

        var environment = ServiceEnvironment(serviceConnection, port);
        environment["Smtp__Host"] = "127.0.0.1";
        environment["Smtp__Port"] = sink.Port.ToString(CultureInfo.InvariantCulture);
        environment["Smtp__From"] = "Orleans.Flows bench <bench@example.com>";
        foreach (var (key, value) in options.EmailEnvironment) environment[key] = value;
        figures.Settings = new Dictionary<string, string>(options.EmailEnvironment);
        figures.Effective = new Dictionary<string, string>
        {
            ["Delivery:BatchSize"] = environment.GetValueOrDefault("Delivery__BatchSize") ?? new Orleans.Flows.Delivery.DeliveryOptions().BatchSize.ToString(CultureInfo.InvariantCulture),
            ["Delivery:Parallelism"] = environment.GetValueOrDefault("Delivery__Parallelism") ?? new Orleans.Flows.Delivery.DeliveryOptions().Parallelism.ToString(CultureInfo.InvariantCulture),
            ["Smtp:Connections"] = environment.GetValueOrDefault("Smtp__Connections") ?? new Orleans.Flows.Delivery.SmtpOptions().Connections.ToString(CultureInfo.InvariantCulture),
        };
        figures.ServiceLog = Path.Combine(LogsFolder, $"{_stamp}-{Name}-service.log");
        var startedAt = DateTimeOffset.UtcNow;
        await using var service = ServiceProcess.Start($"{Name} service", apiDll, environment, figures.ServiceLog);
        OnExit(service.Kill);
        var monitor = new ProcessMonitor(service.Id, postgres.PostmasterPid(), _clock) { Phase = "dispatch" };
        var cpuAtStart = monitor.Cpu();
        Log($"{Name} service: pid {service.Id}, log {service.LogPath}; it sends from its start: watching the outbox");
        var run = new EmailDispatchRun(options, figures, connectionString, service, sink, monitor, _clock, line => Log($"{Name}: {line}"));
        try
        {
            await run.RunAsync(startedAt, cpuAtStart, cancellationToken);
        }
        finally
        {
            await monitor.DisposeAsync();
            await service.StopAsync(TimeSpan.FromSeconds(30));
            // The service has closed its connections (QUIT): smtp-sink's counters are final.
            await Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None);
            sink.Stop();
        }
        await run.CheckAsync(cancellationToken);
        await postgres.DropDatabaseAsync(database, cancellationToken);
    }

    /// <summary>The RSS samples, and when the high-water mark was reached: the first sample that shows it.</summary>
    private static void RecordMemory(ModeResult result, IReadOnlyList<RssSample> samples, long finalHwmKb, double now, string phase)
    {
        result.Rss = [.. samples.Select(s => new[] { s.Seconds, Math.Round(s.RssKb / 1024.0, 1) })];
        var hwm = Math.Max(finalHwmKb, samples.Count > 0 ? samples.Max(s => s.HwmKb) : 0);
        if (hwm == 0) return;
        result.Memory.PeakHwmMiB = Math.Round(hwm / 1024.0, 1);
        // Reached after the last sample when no sample shows it.
        var peak = samples.FirstOrDefault(s => s.HwmKb >= hwm);
        result.Memory.PeakAtSeconds = peak.Phase is null ? Math.Round(now, 1) : peak.Seconds;
        result.Memory.PeakPhase = peak.Phase ?? phase;
    }

    private void CopyServerLog(PrivatePostgres postgres)
    {
        try
        {
            Directory.CreateDirectory(LogsFolder);
            File.Copy(postgres.LogFile, Path.Combine(LogsFolder, $"{_stamp}-postgres.log"), overwrite: true);
        }
        catch (IOException)
        {
            // No server log to keep.
        }
    }

    private void OnExit(Action action)
    {
        lock (_cleanupLock) _cleanup.Add(action);
    }

    /// <summary>Runs every clean-up once, newest first: the services before the server, the server before its folder.</summary>
    private void CleanUp()
    {
        List<Action> actions;
        lock (_cleanupLock)
        {
            actions = [.. _cleanup];
            _cleanup.Clear();
        }
        actions.Reverse();
        foreach (var action in actions)
        {
            try
            {
                action();
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"clean-up: {ex.Message}");
            }
        }
    }

    private void Log(string line) => Console.WriteLine($"[{_clock.Elapsed.TotalSeconds,7:0.0} s] {line}");

    private static MachineInfo Machine()
    {
        var info = new MachineInfo { Cores = Environment.ProcessorCount, Dotnet = RuntimeInformation.FrameworkDescription };
        try
        {
            info.CpuModel = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
            var memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            info.MemoryGiB = Math.Round(long.Parse(memory.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0, 1);
            info.Kernel = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            // Not Linux: only what .NET knows.
        }
        return info;
    }

    /// <summary>The file system type and device of the mount that holds <paramref name="path"/>.</summary>
    private static string? FileSystemOf(string path)
    {
        try
        {
            return File.ReadLines("/proc/mounts")
                .Select(l => l.Split(' '))
                .Where(f => f.Length > 2 && (path == f[1] || path.StartsWith(f[1].TrimEnd('/') + "/", StringComparison.Ordinal)))
                .OrderByDescending(f => f[1].Length)
                .Select(f => $"{f[2]} on {f[0]}")
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private string? GitCommit()
    {
        try
        {
            var head = Git("rev-parse --short HEAD");
            return head is null ? null : head + (string.IsNullOrWhiteSpace(Git("status --porcelain --untracked-files=no")) ? "" : " (with uncommitted changes)");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private string? Git(string arguments)
    {
        using var git = Process.Start(new ProcessStartInfo("git", $"-C \"{root}\" {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        return git.ExitCode == 0 ? output : null;
    }
}
