using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Orleans.Flows.LoadTests;

/// <summary>
/// Postfix's <c>smtp-sink</c> (Debian package <c>postfix</c>; no Postfix daemon needed) on a free loopback port: it
/// takes every message and throws it away. Started with <c>-c</c>, it writes its counters (<c>sess=… quit=… mesg=…</c>,
/// each over the last after a carriage return) whenever a message or session ends; they go to a file, read only when
/// asked, so that following them costs the benchmark nothing per message. With a dump file (<c>-D</c>) it also appends
/// every message to it. As root it must drop privileges (<c>-u postfix</c>), and the dump's folder then belongs to that user.
/// </summary>
public sealed class SmtpSink : IDisposable
{
    public const string Binary = "/usr/sbin/smtp-sink";

    private readonly Process _process;
    private readonly string _counters;
    private int _stopped;

    private SmtpSink(Process process, int port, string counters, string? dumpFile, string arguments)
    {
        _process = process;
        _counters = counters;
        Port = port;
        DumpFile = dumpFile;
        Arguments = arguments;
    }

    public int Port { get; }

    public int Id => _process.Id;

    /// <summary>The file every message is appended to, or null.</summary>
    public string? DumpFile { get; }

    /// <summary>The command line it was started with, for the report.</summary>
    public string Arguments { get; }

    /// <summary>Messages received so far (a message counts when its final "." arrived).</summary>
    public long Messages => Counter("mesg");

    /// <summary>SMTP sessions ended so far.</summary>
    public long Sessions => Counter("sess");

    /// <param name="folder">Where its counters go (and, with <paramref name="dump"/>, every message).</param>
    public static SmtpSink Start(string folder, bool dump, int maxConnections)
    {
        if (!File.Exists(Binary))
            throw new BenchmarkException($"{Binary} not found: install the Debian package 'postfix' (./load-tests/run.sh --emails N does it when it can).");
        var port = PrivatePostgres.FreePort();
        var arguments = new List<string> { "-c" };
        string? dumpFile = null;
        if (dump)
        {
            dumpFile = Path.Combine(folder, "messages.dump");
            arguments.AddRange(["-D", dumpFile]);
        }
        if (Environment.UserName == "root")
        {
            // smtp-sink refuses to run as root: it switches to this user once the socket is open (-u).
            arguments.AddRange(["-u", "postfix"]);
            if (dump) ChangeOwner(folder, "postfix");
        }
        arguments.AddRange(["-m", maxConnections.ToString(CultureInfo.InvariantCulture), $"127.0.0.1:{port}", "1000"]);
        var counters = Path.Combine(folder, "counters");
        // The shell opens the counters file as standard output and becomes smtp-sink (exec: the same process id).
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-c", "exec \"$0\" \"$@\" > \"$SINK_COUNTERS\"", Binary }.Concat(arguments)) start.ArgumentList.Add(a);
        start.Environment["SINK_COUNTERS"] = counters;
        var process = Process.Start(start) ?? throw new BenchmarkException($"{Binary} did not start");
        return new SmtpSink(process, port, counters, dumpFile, "smtp-sink " + string.Join(' ', arguments));
    }

    /// <summary>Waits until the sink accepts connections.</summary>
    public async Task WaitListeningAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
                throw new BenchmarkException($"smtp-sink exited with code {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync(cancellationToken)}");
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (clock.Elapsed < timeout)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>Stops the sink (it has no orderly shutdown) and waits until it has gone; its counters stay readable.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        try
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // It has exited meanwhile.
        }
    }

    public void Dispose()
    {
        Stop();
        _process.Dispose();
    }

    /// <summary>A counter of the last complete line in the counters file (0 before the first).</summary>
    private long Counter(string name)
    {
        byte[] tail;
        try
        {
            using var file = new FileStream(_counters, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var length = (int)Math.Min(file.Length, 256);
            file.Seek(-length, SeekOrigin.End);
            tail = new byte[length];
            file.ReadExactly(tail);
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
        // "sess=N quit=N mesg=N\r", written whole each time: the last line that ends in \r is complete.
        var lines = Encoding.ASCII.GetString(tail).Split('\r');
        for (var i = lines.Length - 2; i >= 0; i--)
        {
            foreach (var field in lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = field.IndexOf('=');
                // "mesg" in Postfix 3.7, "msg" in some older versions.
                var key = field[..Math.Max(equals, 0)];
                if (equals > 0 && (key == name || (name == "mesg" && key == "msg")) &&
                    long.TryParse(field.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                    return value;
            }
        }
        return 0;
    }

    private static void ChangeOwner(string path, string user)
    {
        using var chown = Process.Start(new ProcessStartInfo("chown") { ArgumentList = { user, path } })!;
        chown.WaitForExit();
        if (chown.ExitCode != 0) throw new BenchmarkException($"chown {user} {path} failed ({chown.ExitCode})");
    }
}
