using System.Diagnostics;
using System.Text;

namespace Orleans.Flows.Tests.Durable;

/// <summary>
/// A silo or the API run as a process of its own (<c>dotnet &lt;assembly&gt;.dll</c>), as in production: its
/// standard output and error are kept so that a failure can show what the process said last.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    // Settings of the test process itself never leak into a service: each gets exactly what the test gives it.
    private static readonly string[] NotInherited = ["ConnectionStrings__", "Orleans__", "Api__", "Logging__", "ASPNETCORE_", "DOTNET_ENVIRONMENT"];

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _lock = new();

    private ServiceProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>dotnet <paramref name="assembly"/></c> in the assembly's folder with these settings.</summary>
    public static ServiceProcess Start(string name, string assembly, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        foreach (var inherited in start.Environment.Keys.Where(k => NotInherited.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
            start.Environment.Remove(inherited);
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var process = new Process { StartInfo = start };
        var service = new ServiceProcess(name, process);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>
    /// What every process of a durable service needs, as production would set it: the database, the cluster it
    /// joins, the tracking key outside development mode, and the Production environment; <paramref name="more"/> on top.
    /// </summary>
    public static Dictionary<string, string> DurableSettings(string connectionString, string clusterId, params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Flows"] = connectionString,
            ["Orleans__ClusterId"] = clusterId,
            ["Orleans__ServiceId"] = clusterId,
            ["Tracking__SigningKey"] = Infrastructure.DurableCluster.TrackingKey,
            ["Tracking__BaseUrl"] = Infrastructure.DurableCluster.TrackingBaseUrl,
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        foreach (var (key, value) in more) settings[key] = value;
        return settings;
    }

    /// <summary>
    /// The assembly of project <paramref name="project"/> (a folder under <c>src/</c>) built in the same configuration
    /// as this test assembly, which runs from <c>tests/&lt;project&gt;/bin/&lt;configuration&gt;/&lt;framework&gt;/</c>.
    /// </summary>
    public static string Assembly(string project, string assemblyName)
    {
        var framework = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        var configuration = framework.Parent;
        var bin = configuration?.Parent;
        var root = bin?.Parent?.Parent?.Parent;
        if (configuration is null || bin?.Name != "bin" || root is null)
            throw new InvalidOperationException($"The test assembly does not run from tests/<project>/bin/<configuration>/<framework>/ but from {framework.FullName}; cannot find {assemblyName}.");
        var path = Path.Combine(root.FullName, "src", project, "bin", configuration.Name, framework.Name, assemblyName);
        if (!File.Exists(path))
            throw new InvalidOperationException($"{path} does not exist: build src/{project} in configuration {configuration.Name} first (dotnet build Orleans.Flows.sln -c {configuration.Name}).");
        return path;
    }

    /// <summary>What the process wrote last, and its exit code when it has exited.</summary>
    public string Tail(int characters = 4000)
    {
        string text;
        lock (_lock)
            text = _output.Length <= characters ? _output.ToString() : "…" + _output.ToString(_output.Length - characters, characters);
        var state = _process.HasExited ? $"exited with code {_process.ExitCode}" : "running";
        return $"---- {Name} (pid {_process.Id}, {state}) ----\n{text}";
    }

    /// <summary>How many lines of the output so far contain every one of <paramref name="fragments"/>.</summary>
    public int CountLines(params string[] fragments)
    {
        lock (_lock)
            return _output.ToString().Split('\n').Count(l => fragments.All(f => l.Contains(f, StringComparison.Ordinal)));
    }

    /// <summary>Kills the process at once (SIGKILL on Linux): no shutdown, no flush, as in a crash.</summary>
    public async Task KillAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has exited meanwhile.
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>Asks the process to shut down (SIGTERM) and kills it if it has not exited within <paramref name="grace"/>; true when it stopped by itself.</summary>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return true;
        using (var signal = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!)
            await signal.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_lock) _output.AppendLine(line);
    }

    /// <summary>The <c>dotnet</c> host that runs the tests (the SDK names it in DOTNET_HOST_PATH), else the one on the PATH.</summary>
    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet") return current;
        return "dotnet";
    }
}
