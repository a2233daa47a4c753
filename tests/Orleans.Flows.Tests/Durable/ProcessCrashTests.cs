using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;
using Orleans.Flows.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orleans.Flows.Tests.Durable;

/// <summary>
/// Durable mode with real processes, as deployed: silos and the API (as a client of the cluster) each a
/// <c>dotnet</c> process on the tests' private PostgreSQL. One silo is killed (SIGKILL) while every participant
/// waits; the survivor takes over its wake-ups and every journey completes, each message recorded once.
/// Set FLOWS_PROCESS_LOGS to a folder to keep each process's whole output there.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ProcessCrashTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Key = "process-admin-key";
    private const string FlowId = "crash";
    private const int Contacts = 300;
    private const int ActiveStatus = 3;
    private const int DeadStatus = 6;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CompletionTimeout = TimeSpan.FromSeconds(150);

    private readonly string _database = "crash_" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _clusterId = "crash-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _serviceId = "crash-service-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<ServiceProcess> _processes = [];
    private readonly List<HttpClient> _clients = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await postgres.CreateDatabaseAsync(_database);

    public async Task DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        if (Environment.GetEnvironmentVariable("FLOWS_PROCESS_LOGS") is { Length: > 0 } logs)
        {
            try
            {
                Directory.CreateDirectory(logs);
                foreach (var process in _processes) await File.WriteAllTextAsync(Path.Combine(logs, process.Name + ".log"), process.Tail(int.MaxValue));
            }
            catch (IOException ex)
            {
                output.WriteLine($"Could not keep the processes' output in {logs}: {ex.Message}");
            }
        }
        // Never leave a process behind, whatever happened.
        foreach (var process in _processes)
        {
            try
            {
                await process.DisposeAsync();
            }
            catch (Exception ex)
            {
                output.WriteLine($"Could not kill {process.Name}: {ex.Message}");
            }
        }
    }

    [Fact]
    [Trait("Category", "Process")]
    public async Task ClusterLosesASiloDuringAWaitAndEveryJourneyCompletesExactlyOnce()
    {
        // 1. A silo, then the API as a client of the cluster.
        var (first, firstPort) = StartSilo("silo-1");
        await WaitForActiveSilosAsync([firstPort], exactly: true, first);
        var (_, api) = await StartApiAsync("api-1");

        // 2. Content, 300 contacts, a flow send → wait 20 s → send, and everyone in it.
        await SendAsync(api, HttpMethod.Put, "/v1/content/c-email", """{"channel":"email","name":"E","subject":"Hi","html":"<p>Hi</p>"}""", HttpStatusCode.OK);
        var contacts = string.Join(",", Enumerable.Range(0, Contacts).Select(i => $$"""{"id":"p{{i}}","email":"p{{i}}@example.com"}"""));
        var batch = await SendAsync(api, HttpMethod.Post, "/v1/contacts/batch", $$"""{"contacts":[{{contacts}}]}""", HttpStatusCode.OK);
        Assert.True(batch.GetProperty("upserted").GetInt32() == Contacts, $"contacts batch: {batch}");
        await SendAsync(api, HttpMethod.Post, "/v1/flows", $$"""
            {"id":"{{FlowId}}","name":"Crash","startStepId":"a","steps":[
              {"id":"a","type":"sendEmail","contentId":"c-email","next":"w"},
              {"id":"w","type":"wait","duration":"PT{{Wait.TotalSeconds}}S","next":"b"},
              {"id":"b","type":"sendEmail","contentId":"c-email"}]}
            """, HttpStatusCode.Created);
        await SendAsync(api, HttpMethod.Post, $"/v1/flows/{FlowId}/start", null, HttpStatusCode.OK);

        var waitFrom = _clock.Elapsed; // no participant can wake before this plus the wait
        var ids = Enumerable.Range(0, Contacts).Select(i => $"p{i}").ToList();
        var enrolled = await SendAsync(api, HttpMethod.Post, $"/v1/flows/{FlowId}/participants", JsonSerializer.Serialize(new { contactIds = ids }), HttpStatusCode.OK);
        Assert.True(enrolled.GetProperty("enrolled").GetInt32() == Contacts, $"enrollment: {enrolled}");
        Log($"enrolled {Contacts} in {(_clock.Elapsed - waitFrom).TotalSeconds:0.0} s; outbox {await CountAsync("select count(*) from flows_outbox where flow_id = $1", FlowId)} rows, " +
            $"reminders {await CountAsync("select count(*) from orleansreminders where serviceid = $1", _serviceId)}");

        // 3. A second silo joins.
        var (second, secondPort) = StartSilo("silo-2");
        await WaitForActiveSilosAsync([firstPort, secondPort], exactly: true, first, second);

        // 4. The first silo dies during the wait: nobody has had the second message yet.
        var sentSecond = await CountAsync("select count(*) from flows_outbox where flow_id = $1 and step_id = 'b'", FlowId);
        var intoWait = _clock.Elapsed - waitFrom;
        if (sentSecond != 0 || intoWait > Wait - TimeSpan.FromSeconds(2))
            Fail($"the first silo has to be killed during the wait, but {intoWait.TotalSeconds:0.0} s of the {Wait.TotalSeconds} s wait have passed and {sentSecond} second messages were sent");
        await first.KillAsync();
        var killedAt = _clock.Elapsed;
        Log($"silo-1 killed (SIGKILL) {intoWait.TotalSeconds:0.0} s into the wait");

        // 5. Every journey completes, each message recorded exactly once.
        await WaitForEveryJourneyAsync(api, firstPort, waitFrom, killedAt);
        Log($"silo-2 could not deliver {second.CountLines("Could not deliver reminder tick")} reminder ticks (to grains it still placed on silo-1); " +
            $"a missed tick comes again one reminder period later");
        foreach (var id in ids)
        {
            var participant = await SendAsync(api, HttpMethod.Get, $"/v1/flows/{FlowId}/participants/{id}", null, HttpStatusCode.OK);
            var outcomes = participant.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("outcome").GetString()).ToList();
            Assert.True(participant.GetProperty("status").GetString() == "completed" && outcomes.SequenceEqual(["enrolled", "sent", "waiting", "sent"]),
                $"participant {id} is {participant.GetProperty("status")} with history {string.Join(", ", outcomes)}: {participant}");
        }
        Assert.Equal(2L * Contacts, await CountAsync("select count(*) from flows_outbox where flow_id = $1", FlowId));
        Assert.Equal(2L * Contacts, await CountAsync("select count(distinct (contact_id, step_id)) from flows_outbox where flow_id = $1", FlowId));
        Log($"reminders left: {await CountAsync("select count(*) from orleansreminders where serviceid = $1", _serviceId)}");

        // 6. The whole cluster stops; a new silo and API on the same database find everything where it was.
        foreach (var process in _processes.Where(p => !p.HasExited).Reverse())
        {
            var graceful = await process.StopAsync(TimeSpan.FromSeconds(30));
            Log($"{process.Name} {(graceful ? "stopped" : "did not stop within 30 s after SIGTERM and was killed")}");
        }
        var (third, thirdPort) = StartSilo("silo-3");
        await WaitForActiveSilosAsync([thirdPort], exactly: false, third);
        var (_, restarted) = await StartApiAsync("api-2");

        var flow = await SendAsync(restarted, HttpMethod.Get, $"/v1/flows/{FlowId}", null, HttpStatusCode.OK);
        Assert.True(flow.GetProperty("status").GetString() == "running", $"flow after the restart: {flow}");
        var contact = await SendAsync(restarted, HttpMethod.Get, "/v1/contacts/p7", null, HttpStatusCode.OK);
        Assert.True(contact.GetProperty("email").GetString() == "p7@example.com", $"contact after the restart: {contact}");
        var p7 = await SendAsync(restarted, HttpMethod.Get, $"/v1/flows/{FlowId}/participants/p7", null, HttpStatusCode.OK);
        Assert.True(p7.GetProperty("status").GetString() == "completed", $"participant p7 after the restart: {p7}");
        Log("after the restart: flow running, contact and participant as they were");
    }

    /// <summary>Polls the participant list until all are completed, and logs when the dead silo was noticed and its wake-ups ran.</summary>
    private async Task WaitForEveryJourneyAsync(HttpClient api, int deadPort, TimeSpan waitFrom, TimeSpan killedAt)
    {
        var deadline = killedAt + CompletionTimeout;
        TimeSpan? declaredDead = null, firstCompleted = null;
        var completed = -1;
        var lastProblem = "";
        var progress = new StringBuilder();
        while (true)
        {
            if (declaredDead is null && await CountAsync("select count(*) from orleansmembership where port = $1 and status = $2", deadPort, DeadStatus) == 1)
            {
                declaredDead = _clock.Elapsed;
                Log($"silo-1 declared dead in the membership table {(declaredDead - killedAt).Value.TotalSeconds:0.0} s after the kill " +
                    $"({(declaredDead - waitFrom).Value.TotalSeconds:0.0} s after enrollment began)");
            }
            try
            {
                using var response = await api.GetAsync($"/v1/flows/{FlowId}/participants?status=completed&limit=500");
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var now = JsonDocument.Parse(text).RootElement.GetProperty("items").GetArrayLength();
                    if (now != completed)
                    {
                        completed = now;
                        progress.Append(CultureInfo.InvariantCulture, $" {(_clock.Elapsed - waitFrom).TotalSeconds:0.0}s:{now}");
                        if (now > 0) firstCompleted ??= _clock.Elapsed;
                    }
                    if (now == Contacts) break;
                }
                else lastProblem = $"{(int)response.StatusCode} {text}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                lastProblem = ex.Message;
            }
            if (_processes.FirstOrDefault(p => p.Name is "silo-2" or "api-1" && p.HasExited) is { } exited)
                Fail($"{exited.Name} exited while the journeys ran");
            if (_clock.Elapsed > deadline)
                Fail($"after {CompletionTimeout.TotalSeconds} s only {completed} of {Contacts} participants are completed (last problem: {lastProblem}; " +
                     $"silo-1 {(declaredDead is null ? "never declared dead" : "declared dead")}; completed over time since enrollment:{progress}); " +
                     $"not completed: {await NotCompletedAsync(api)}");
            await Task.Delay(500);
        }
        Log($"completed over time (seconds since enrollment began: count):{progress}");
        Log($"first completed {(firstCompleted - waitFrom)?.TotalSeconds:0.0} s, all completed {(_clock.Elapsed - waitFrom).TotalSeconds:0.0} s after enrollment began " +
            $"({(_clock.Elapsed - killedAt).TotalSeconds:0.0} s after the kill)");
    }

    /// <summary>The participants not completed, with their status and step, from each one's own (always current) detail.</summary>
    private async Task<string> NotCompletedAsync(HttpClient api)
    {
        var late = new List<string>();
        for (var i = 0; i < Contacts; i++)
        {
            try
            {
                using var response = await api.GetAsync($"/v1/flows/{FlowId}/participants/p{i}");
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.OK) late.Add($"p{i}: {(int)response.StatusCode}");
                else if (JsonDocument.Parse(text).RootElement is var p && p.GetProperty("status").GetString() != "completed")
                    late.Add($"p{i}: {p.GetProperty("status")} at {p.GetProperty("currentStepId")}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                late.Add($"p{i}: {ex.Message}");
            }
        }
        return late.Count == 0 ? "none by their own detail (the list lags)" : $"{late.Count}: {string.Join("; ", late.Take(20))}";
    }

    private (ServiceProcess Process, int SiloPort) StartSilo(string name)
    {
        var siloPort = ApiFixture.FreePort();
        var process = ServiceProcess.Start(name, ServiceProcess.Assembly("Silo", "Orleans.Flows.Silo.dll"), new Dictionary<string, string>
        {
            ["ConnectionStrings__Flows"] = _connectionString,
            ["Orleans__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = ApiFixture.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans__ClusterId"] = _clusterId,
            ["Orleans__ServiceId"] = _serviceId,
            ["Tracking__SigningKey"] = DurableCluster.TrackingKey,
            ["Tracking__BaseUrl"] = DurableCluster.TrackingBaseUrl,
            ["DOTNET_ENVIRONMENT"] = "Production",
        });
        _processes.Add(process);
        Log($"{name} started (pid {process.Id}, silo port {siloPort})");
        return (process, siloPort);
    }

    private async Task<(ServiceProcess Process, HttpClient Client)> StartApiAsync(string name)
    {
        var port = ApiFixture.FreePort();
        var process = ServiceProcess.Start(name, ServiceProcess.Assembly("Api", "Orleans.Flows.Api.dll"), new Dictionary<string, string>
        {
            ["ConnectionStrings__Flows"] = _connectionString,
            ["Api__Mode"] = "client",
            ["Orleans__ClusterId"] = _clusterId,
            ["Orleans__ServiceId"] = _serviceId,
            ["Api__Keys__0__Key"] = Key,
            ["Api__Keys__0__Role"] = "admin",
            ["Tracking__SigningKey"] = DurableCluster.TrackingKey,
            ["Tracking__BaseUrl"] = DurableCluster.TrackingBaseUrl,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        });
        _processes.Add(process);
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        _clients.Add(client);

        var started = _clock.Elapsed;
        var last = "no answer yet";
        while (true)
        {
            try
            {
                using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                using var response = await client.GetAsync("/health/ready", probe.Token);
                if (response.StatusCode == HttpStatusCode.OK) break;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }
            if (process.HasExited) Fail($"{name} exited before it was ready");
            if (_clock.Elapsed - started > StartTimeout)
                Fail($"{name} did not answer 200 on /health/ready within {StartTimeout.TotalSeconds} s (last: {last})");
            await Task.Delay(250);
        }
        Log($"{name} ready on port {port} after {(_clock.Elapsed - started).TotalSeconds:0.0} s");
        return (process, client);
    }

    /// <summary>Waits until these silos are active (status 3) in the membership table; with <paramref name="exactly"/> no other is.</summary>
    private async Task WaitForActiveSilosAsync(int[] ports, bool exactly, params ServiceProcess[] silos)
    {
        var started = _clock.Elapsed;
        while (true)
        {
            var active = await ActiveSiloPortsAsync();
            if (ports.All(active.Contains) && (!exactly || active.Count == ports.Length)) break;
            if (silos.FirstOrDefault(p => p.HasExited) is { } exited)
                Fail($"{exited.Name} exited before it was active");
            if (_clock.Elapsed - started > StartTimeout)
                Fail($"silos on ports {string.Join(", ", ports)} were not all active within {StartTimeout.TotalSeconds} s; active: {string.Join(", ", active)}");
            await Task.Delay(250);
        }
        Log($"active silos on ports {string.Join(", ", ports)} after {(_clock.Elapsed - started).TotalSeconds:0.0} s");
    }

    private async Task<List<int>> ActiveSiloPortsAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select port from orleansmembership where deploymentid = $1 and status = $2", connection);
        command.Parameters.AddWithValue(_clusterId);
        command.Parameters.AddWithValue(ActiveStatus);
        var ports = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ports.Add(reader.GetInt32(0));
        return ports;
    }

    private async Task<long> CountAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters) command.Parameters.AddWithValue(parameter);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Sends a request, asserts its status and returns the JSON body; a failure shows the body and what the processes said last.</summary>
    private async Task<JsonElement> SendAsync(HttpClient client, HttpMethod method, string url, string? json, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, url);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected) Fail($"{method} {url}: expected {(int)expected} but got {(int)response.StatusCode}: {text}");
        return string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private void Log(string message) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.0} s] {message}");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Fail(string message) =>
        Assert.Fail(message + "\n" + string.Join("\n", _processes.Select(p => p.Tail())));
}
