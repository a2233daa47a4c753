using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Orleans.Flows.LoadTests;

/// <summary>
/// A private PostgreSQL server, started as the tests start theirs (tests/…/Infrastructure/PostgresServer.cs): initdb
/// into a temporary folder, a free port on loopback, as the <c>postgres</c> user when run as root; stopped and deleted
/// afterwards. Unlike the tests' server it keeps PostgreSQL's durability defaults (fsync and synchronous_commit on):
/// every figure is for commits that reached the disk. Only capacity is raised: connections, shared buffers, WAL size.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    /// <summary>Settings given to the server; everything else is PostgreSQL's default.</summary>
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["max_connections"] = "500",
        ["shared_buffers"] = "1GB",
        // Fewer forced checkpoints while a million rows are written; no effect on durability.
        ["max_wal_size"] = "4GB",
    };

    /// <summary>Settings read back from the server for the report.</summary>
    public static readonly string[] Reported =
        ["server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_level", "shared_buffers", "max_connections", "max_wal_size", "checkpoint_timeout", "work_mem"];

    private readonly string _folder;
    private readonly string _binaries;
    private readonly bool _asPostgresUser;
    private int _stopped;

    private PrivatePostgres(string folder, string binaries, bool asPostgresUser, int port)
    {
        _folder = folder;
        _binaries = binaries;
        _asPostgresUser = asPostgresUser;
        Port = port;
    }

    public int Port { get; }

    public string DataFolder => Path.Combine(_folder, "data");

    public string LogFile => Path.Combine(_folder, "server.log");

    public static async Task<PrivatePostgres> StartAsync(CancellationToken cancellationToken)
    {
        var binaries = FindBinaries();
        var folder = Directory.CreateTempSubdirectory("flows-bench-pg-").FullName;
        var asPostgres = Environment.UserName == "root";
        var server = new PrivatePostgres(folder, binaries, asPostgres, FreePort());
        try
        {
            if (asPostgres) await RunAsync("chown", ["postgres", folder], asPostgres: false, cancellationToken);
            await RunAsync(Path.Combine(binaries, "initdb"), ["-D", server.DataFolder, "-A", "trust", "-U", "flows", "-E", "UTF8"], asPostgres, cancellationToken);
            var settings = string.Join(" ", Settings.Select(s => $"-c {s.Key}={s.Value}"));
            await RunAsync(Path.Combine(binaries, "pg_ctl"),
                ["start", "-D", server.DataFolder, "-w", "-t", "120", "-l", server.LogFile,
                 "-o", $"-p {server.Port} -k {folder} -c listen_addresses=127.0.0.1 {settings}"], asPostgres, cancellationToken);
            return server;
        }
        catch
        {
            server.Stop();
            throw;
        }
    }

    public string ConnectionString(string database, int pool = 20) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username=flows;Pooling=true;Maximum Pool Size={pool};Command Timeout=600";

    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        await using var admin = new NpgsqlConnection(ConnectionString("postgres"));
        await admin.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand($"create database \"{name}\"", admin);
        await create.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(ConnectionString("postgres"));
        await admin.OpenAsync(cancellationToken);
        await using var drop = new NpgsqlCommand($"drop database if exists \"{name}\" with (force)", admin);
        await drop.ExecuteNonQueryAsync(cancellationToken);
        await using var checkpoint = new NpgsqlCommand("checkpoint", admin);
        await checkpoint.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<Dictionary<string, string>> ReadSettingsAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        var settings = new Dictionary<string, string>();
        foreach (var name in Reported)
        {
            await using var show = new NpgsqlCommand($"show {name}", connection);
            settings[name] = (string)(await show.ExecuteScalarAsync(cancellationToken))!;
        }
        return settings;
    }

    /// <summary>The postmaster's process id, from the first line of postmaster.pid; its children are the server's processes.</summary>
    public int PostmasterPid()
    {
        var line = File.ReadLines(Path.Combine(DataFolder, "postmaster.pid")).First();
        return int.Parse(line, CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    /// <summary>Stops the server at once and deletes its folder; safe to call more than once, also from an exit handler.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        try
        {
            if (File.Exists(Path.Combine(DataFolder, "postmaster.pid")))
                RunAsync(Path.Combine(_binaries, "pg_ctl"), ["stop", "-D", DataFolder, "-m", "immediate", "-w"], _asPostgresUser, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine($"Could not stop PostgreSQL in {_folder}: {ex.Message}");
        }
        finally
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"Could not delete {_folder}: {ex.Message}");
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindBinaries()
    {
        var versions = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [];
        var bin = versions.Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault();
        return bin ?? throw new BenchmarkException("PostgreSQL server binaries not found under /usr/lib/postgresql: install the Debian package 'postgresql' (run.sh does it when it can).");
    }

    private static async Task RunAsync(string file, string[] arguments, bool asPostgres, CancellationToken cancellationToken)
    {
        var start = asPostgres ? new ProcessStartInfo("runuser") : new ProcessStartInfo(file);
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file }) start.ArgumentList.Add(a);
        }
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments.Take(1))} failed ({process.ExitCode}): {await output}{await error}");
    }
}
