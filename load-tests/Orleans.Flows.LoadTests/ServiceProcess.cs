using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Orleans.Flows.LoadTests;

/// <summary>
/// The service (or the migrate command) as a process of its own, <c>dotnet &lt;assembly&gt;.dll</c>, as deployed: its
/// standard output and error go to a log file, and the last lines are kept for error messages.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    // Settings of the benchmark's own environment never leak into a service: it gets exactly what it is given.
    private static readonly string[] NotInherited = ["ConnectionStrings__", "Orleans__", "Api__", "Logging__", "Storage__", "WakeUps__", "Smtp__", "Delivery__", "Tracking__", "ASPNETCORE_", "DOTNET_ENVIRONMENT", "Urls"];

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Queue<string> _tail = new();
    private readonly Lock _lock = new();

    private ServiceProcess(string name, Process process, StreamWriter log, string logPath)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    public string Name { get; }

    public string LogPath { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ServiceProcess Start(string name, string assembly, IReadOnlyDictionary<string, string> environment, string logPath, params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var inherited in start.Environment.Keys.Where(k => NotInherited.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
            start.Environment.Remove(inherited);
        foreach (var (key, value) in environment) start.Environment[key] = value;

        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        log.WriteLine($"---- {name}: dotnet {assembly} {string.Join(' ', arguments)} at {DateTimeOffset.UtcNow:O}");
        foreach (var (key, value) in environment.OrderBy(e => e.Key, StringComparer.Ordinal))
            log.WriteLine($"     {key}={(key.Contains("Key", StringComparison.Ordinal) ? "…" : value)}");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(name, process, log, logPath);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>Runs a command to its end; throws with its output when it fails or outlasts <paramref name="timeout"/>.</summary>
    public static async Task RunToEndAsync(string name, string assembly, IReadOnlyDictionary<string, string> environment, string logPath, TimeSpan timeout, CancellationToken cancellationToken, params string[] arguments)
    {
        await using var process = Start(name, assembly, environment, logPath, arguments);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process._process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BenchmarkException($"{name} did not finish within {timeout.TotalSeconds:0} s.\n{process.Tail()}");
        }
        // The last lines of output arrive after the exit.
        process._process.WaitForExit();
        if (process.ExitCode != 0) throw new BenchmarkException($"{name} failed with exit code {process.ExitCode}.\n{process.Tail()}");
    }

    /// <summary>Waits until <c>GET /health/ready</c> answers 200.</summary>
    public async Task WaitReadyAsync(HttpClient client, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited) throw new BenchmarkException($"{Name} exited with code {_process.ExitCode} before it was ready.\n{Tail()}");
            try
            {
                using var response = await client.GetAsync("health/ready", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(250, cancellationToken);
        }
        throw new BenchmarkException($"{Name} was not ready (GET /health/ready) within {timeout.TotalSeconds:0} s.\n{Tail()}");
    }

    /// <summary>The last lines the process wrote, and its state.</summary>
    public string Tail(int lines = 40)
    {
        string text;
        lock (_lock) text = string.Join('\n', _tail.TakeLast(lines));
        var state = _process.HasExited ? $"exited with code {_process.ExitCode}" : "running";
        return $"---- last lines of {Name} (pid {_process.Id}, {state}; whole log: {LogPath}) ----\n{text}";
    }

    /// <summary>Asks the process to stop (SIGTERM), and kills it when it has not stopped within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return;
        using (var signal = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture) } })!)
            await signal.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <summary>Kills the process at once; safe to call more than once, also from an exit handler.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // It has exited meanwhile.
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        lock (_lock) _log.Dispose();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_lock)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // Output after the log was closed.
            }
            _tail.Enqueue(line);
            if (_tail.Count > 200) _tail.Dequeue();
        }
    }

    private static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet") return current;
        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
    }
}
