using System.Runtime.InteropServices;
using Orleans.Flows.LoadTests;

// The benchmark of load-tests/README.md. ./load-tests/run.sh builds Release and runs this with its arguments.
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(BenchmarkOptions.Usage);
    return 0;
}
var root = RepositoryRoot();
if (root is null)
{
    Console.Error.WriteLine("Run this from the repository (Orleans.Flows.sln not found above the current folder or this program).");
    return 2;
}

// --report-from <json>: rewrite RESULTS.md from a run's figures, e.g. after writing its notes.
if (args is ["--report-from", var json])
    return await Benchmark.RewriteReportAsync(json, root);

BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return 2;
}

var command = Environment.GetEnvironmentVariable("FLOWS_BENCH_COMMAND") is { Length: > 0 } given ? given : "dotnet Orleans.Flows.LoadTests.dll " + string.Join(' ', args);

// Ctrl-C or SIGTERM: stop the run, then the service and PostgreSQL are shut down and the JSON written.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cancel.IsCancellationRequested) return;
    e.Cancel = true;
    Console.Error.WriteLine("Stopping: shutting down the service and PostgreSQL (Ctrl-C again to abandon them)");
    cancel.Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});
return await new Benchmark(options, command, root).RunAsync(cancel.Token);

static string? RepositoryRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Orleans.Flows.sln"))) return folder.FullName;
    }
    return null;
}
