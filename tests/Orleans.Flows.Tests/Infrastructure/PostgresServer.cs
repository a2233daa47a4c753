using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Flows.Silo;

namespace Orleans.Flows.Tests.Infrastructure;

/// <summary>
/// A private PostgreSQL server for the tests: initdb into a temporary folder, a free port on loopback, run as
/// the <c>postgres</c> user when the tests run as root; stopped and deleted afterwards. Each test class gets a
/// database of its own with the project's schema applied by <see cref="FlowsSchema"/>.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string _folder = "";
    private string _binaries = "";
    private bool _asPostgresUser;

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        _binaries = FindBinaries();
        _folder = Directory.CreateTempSubdirectory("flows-pg-").FullName;
        _asPostgresUser = Environment.UserName == "root";
        if (_asPostgresUser) await RunAsync("chown", ["postgres", _folder], asPostgres: false);
        Port = ApiFixture.FreePort();
        await RunAsync(Path.Combine(_binaries, "initdb"), ["-D", Data, "-A", "trust", "-U", "flows", "--no-sync", "-E", "UTF8"], _asPostgresUser);
        await RunAsync(Path.Combine(_binaries, "pg_ctl"),
            ["-D", Data, "-w", "-t", "60", "-l", Path.Combine(_folder, "server.log"),
             "-o", $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=1000"], _asPostgresUser, "start");
    }

    public async Task DisposeAsync()
    {
        try
        {
            await RunAsync(Path.Combine(_binaries, "pg_ctl"), ["-D", Data, "-m", "immediate", "-w"], _asPostgresUser, "stop");
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>Creates an empty database with the project's schema; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var admin = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"create database \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = ConnectionString(name);
        await FlowsSchema.MigrateAsync(connectionString, NullLogger.Instance);
        return connectionString;
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username=flows;Pooling=true;Maximum Pool Size=50;Connection Idle Lifetime=5;Connection Pruning Interval=1";

    private string Data => Path.Combine(_folder, "data");

    private static string FindBinaries()
    {
        var versions = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [];
        var bin = versions.Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault();
        return bin ?? throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql; ./build.sh test installs the 'postgresql' package.");
    }

    private static async Task RunAsync(string file, string[] arguments, bool asPostgres, string? command = null)
    {
        var start = asPostgres ? new ProcessStartInfo("runuser") : new ProcessStartInfo(file);
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file }) start.ArgumentList.Add(a);
        }
        if (command is not null) start.ArgumentList.Add(command);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {command} failed ({process.ExitCode}): {await output}{await error}");
    }
}

/// <summary>One PostgreSQL server for every durable test class.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
