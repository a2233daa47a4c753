using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Orleans.Flows.LoadTests;

/// <summary>
/// Postfix's <c>smtp-sink</c> (Debian package <c>postfix</c>; no Postfix daemon needed) on a free loopback port: it
/// takes every message and throws it away. Started with <c>-c</c>, it prints its counters (<c>sess=… quit=… mesg=…</c>)
/// each time a message ends, which this class follows; with a dump file (<c>-D</c>) it also appends every message to
/// it. As root it must drop privileges (<c>-u postfix</c>), and the dump's folder then belongs to that user.
/// </summary>
public sealed class SmtpSink : IDisposable
{
    public const string Binary = "/usr/sbin/smtp-sink";

    private readonly Process _process;
    private readonly Task _reading;
    private long _messages;
    private long _sessions;
    private int _stopped;

    private SmtpSink(Process process, int port, string? dumpFile, string arguments)
    {
        _process = process;
        Port = port;
        DumpFile = dumpFile;
        Arguments = arguments;
        _reading = Task.Run(ReadCountersAsync);
    }

    public int Port { get; }

    public int Id => _process.Id;

    /// <summary>The file every message is appended to, or null.</summary>
    public string? DumpFile { get; }

    /// <summary>The command line it was started with, for the report.</summary>
    public string Arguments { get; }

    /// <summary>Messages received so far (a message counts when its final "." arrived).</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>SMTP sessions ended so far.</summary>
    public long Sessions => Interlocked.Read(ref _sessions);

    public static SmtpSink Start(string? dumpFolder, int maxConnections)
    {
        if (!File.Exists(Binary))
            throw new BenchmarkException($"{Binary} not found: install the Debian package 'postfix' (./load-tests/run.sh --emails N does it when it can).");
        var port = PrivatePostgres.FreePort();
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        string? dump = null;
        if (dumpFolder is not null)
        {
            dump = Path.Combine(dumpFolder, "messages.dump");
            start.ArgumentList.Add("-D");
            start.ArgumentList.Add(dump);
        }
        if (Environment.UserName == "root")
        {
            // smtp-sink refuses to run as root: it switches to this user once the socket is open (-u).
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add("postfix");
            if (dumpFolder is not null) ChangeOwner(dumpFolder, "postfix");
        }
        start.ArgumentList.Add("-m");
        start.ArgumentList.Add(maxConnections.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add($"127.0.0.1:{port}");
        start.ArgumentList.Add("1000");
        var process = Process.Start(start) ?? throw new BenchmarkException($"{Binary} did not start");
        return new SmtpSink(process, port, dump, "smtp-sink " + string.Join(' ', start.ArgumentList));
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

    /// <summary>Stops the sink (it has no orderly shutdown: SIGTERM) and waits for its last counters.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        try
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit(10_000);
            _reading.Wait(TimeSpan.FromSeconds(5));
        }
        catch (InvalidOperationException)
        {
            // It has exited meanwhile.
        }
        catch (AggregateException)
        {
            // The counters' stream broke: the last counts read stand.
        }
    }

    public void Dispose()
    {
        Stop();
        _process.Dispose();
    }

    /// <summary>Follows <c>sess=N quit=N mesg=N</c>, each written over the last after a carriage return.</summary>
    private async Task ReadCountersAsync()
    {
        var reader = _process.StandardOutput;
        var line = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer, CancellationToken.None)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (c is '\r' or '\n')
                {
                    Parse(line);
                    line.Clear();
                }
                else
                {
                    line.Append(c);
                }
            }
        }
        Parse(line);
    }

    private void Parse(StringBuilder line)
    {
        foreach (var field in line.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = field.IndexOf('=');
            if (equals < 0 || !long.TryParse(field.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value)) continue;
            switch (field[..equals])
            {
                // "mesg" in Postfix 3.7; "msg" in some older versions.
                case "mesg" or "msg": Interlocked.Exchange(ref _messages, value); break;
                case "sess": Interlocked.Exchange(ref _sessions, value); break;
            }
        }
    }

    private static void ChangeOwner(string path, string user)
    {
        using var chown = Process.Start(new ProcessStartInfo("chown") { ArgumentList = { user, path } })!;
        chown.WaitForExit();
        if (chown.ExitCode != 0) throw new BenchmarkException($"chown {user} {path} failed ({chown.ExitCode})");
    }
}
