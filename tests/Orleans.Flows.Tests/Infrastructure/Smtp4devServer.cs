using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace Orleans.Flows.Tests.Infrastructure;

/// <summary>
/// A private smtp4dev (the local tool pinned in dotnet-tools.json; <c>./build.sh test</c> restores it): SMTP on a
/// free port and its web API on another, both on 127.0.0.1, messages in memory, no IMAP or POP3. Its validation
/// expressions make some sends fail on purpose: a recipient starting with <see cref="RejectedLocalPart"/> gets 550,
/// one starting with <see cref="DeferredLocalPart"/> gets 451, and a subject holding <see cref="DropSubject"/> makes
/// the server hang up after the data instead of answering.
/// </summary>
public sealed class Smtp4devServer : IAsyncLifetime
{
    public const string RejectedLocalPart = "reject";
    public const string DeferredLocalPart = "busy";
    public const string DropSubject = "[drop]";

    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;
    private string _appData = "";
    private HttpClient _http = null!;

    public int SmtpPort { get; private set; }
    public int WebPort { get; private set; }

    public async Task InitializeAsync()
    {
        SmtpPort = ApiFixture.FreePort();
        WebPort = ApiFixture.FreePort();
        _appData = Directory.CreateTempSubdirectory("flows-smtp4dev-").FullName;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{WebPort}"), Timeout = TimeSpan.FromSeconds(30) };
        await StartAsync();
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        try
        {
            Directory.Delete(_appData, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder; not worth failing the tests for.
        }
    }

    /// <summary>Starts smtp4dev on <see cref="SmtpPort"/> and <see cref="WebPort"/> and waits until both answer. Messages of an earlier run are gone.</summary>
    public async Task StartAsync()
    {
        if (_process is not null) throw new InvalidOperationException("smtp4dev is already running");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            "tool", "run", "smtp4dev", "--",
            $"--smtpport={SmtpPort}",
            $"--urls=http://127.0.0.1:{WebPort}",
            "--bindaddress=127.0.0.1",
            "--disableipv6",
            "--hostname=localhost",
            "--db=",
            "--imapport=",
            "--pop3port=",
            "--nousersettings",
            $"--baseappdatapath={_appData}",
            "--messagestokeep=100000",
            "--sessionstokeep=100000"])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["ServerOptions__RecipientValidationExpression"] =
            $"recipient.startsWith('{RejectedLocalPart}') ? false : recipient.startsWith('{DeferredLocalPart}') ? error(451, 'mailbox busy, try later') : true";
        start.Environment["ServerOptions__MessageValidationExpression"] = $"message.subject.includes('{DropSubject}') ? disconnect() : null";

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet tool run smtp4dev");
        _process = process;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (!await AnswersAsync(SmtpPort) || !await AnswersAsync(WebPort))
        {
            if (process.HasExited)
            {
                _process = null;
                throw new InvalidOperationException($"smtp4dev exited ({process.ExitCode}) before it listened:\n{Output}");
            }
            if (DateTime.UtcNow > deadline)
            {
                await StopAsync();
                throw new TimeoutException($"smtp4dev did not listen on {SmtpPort} and {WebPort} within 120 s:\n{Output}");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>Kills smtp4dev (the tool runner and the server under it); its ports then refuse connections.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process) return;
        _process = null;
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(wait.Token);
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <summary>The last lines smtp4dev printed, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Deletes every message and session, so that a test sees only its own.</summary>
    public async Task ClearAsync()
    {
        (await _http.DeleteAsync("/api/messages/*")).EnsureSuccessStatusCode();
        (await _http.DeleteAsync("/api/sessions/*")).EnsureSuccessStatusCode();
    }

    /// <summary>Waits until smtp4dev holds at least <paramref name="count"/> messages; returns all it holds, oldest first.</summary>
    public async Task<IReadOnlyList<ReceivedEmail>> WaitForMessagesAsync(int count, TimeSpan timeout) =>
        await Eventually.Matches(MessagesAsync, m => m.Count >= count, timeout, $"smtp4dev holds {count} messages");

    /// <summary>The messages smtp4dev holds now, oldest first (<c>GET /api/messages</c>).</summary>
    public async Task<IReadOnlyList<ReceivedEmail>> MessagesAsync()
    {
        var page = await _http.GetFromJsonAsync<Page<ReceivedEmail>>("/api/messages?page=1&pageSize=100000")
            ?? throw new InvalidOperationException("smtp4dev answered no message list");
        return [.. page.Results.OrderBy(m => m.ReceivedDate)];
    }

    /// <summary>The message as it came over SMTP (<c>GET /api/messages/{id}/raw</c>): parse it with <c>MimeMessage.Load</c>.</summary>
    public async Task<byte[]> RawSourceAsync(string id) =>
        await _http.GetByteArrayAsync($"/api/messages/{Uri.EscapeDataString(id)}/raw");

    /// <summary>The SMTP sessions (connections) smtp4dev has seen end (<c>GET /api/sessions</c>).</summary>
    public async Task<IReadOnlyList<SmtpSession>> SessionsAsync()
    {
        var page = await _http.GetFromJsonAsync<Page<SmtpSession>>("/api/sessions?page=1&pageSize=100000")
            ?? throw new InvalidOperationException("smtp4dev answered no session list");
        return page.Results;
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 200) _output.TryDequeue(out _);
    }

    private static async Task<bool> AnswersAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Orleans.Flows.sln"))) return folder.FullName;
        }
        throw new InvalidOperationException($"Orleans.Flows.sln not found above {AppContext.BaseDirectory}");
    }

    private sealed record Page<T>(List<T> Results);
}

/// <summary>A message smtp4dev received, as its list shows it.</summary>
public sealed record ReceivedEmail(string Id, string From, IReadOnlyList<string> To, string Subject, DateTimeOffset ReceivedDate)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Id} '{Subject}'");
}

/// <summary>One SMTP connection smtp4dev saw.</summary>
public sealed record SmtpSession(string Id, int NumberOfMessages, bool TerminatedWithError, DateTimeOffset? EndDate);

/// <summary>One smtp4dev for every SMTP test class.</summary>
[CollectionDefinition(Name)]
public sealed class Smtp4devCollection : ICollectionFixture<Smtp4devServer>
{
    public const string Name = "smtp4dev";
}
