using System.Diagnostics;
using System.Globalization;
using System.Net;
using Orleans.Flows.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orleans.Flows.Tests.Durable;

/// <summary>
/// What a load balancer or an orchestrator sees: <c>/health/live</c> answers while the process runs;
/// <c>/health/ready</c> only while the cluster and, in durable mode, PostgreSQL answer — and again once they are back.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReadinessTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(30);

    private readonly string _database = "ready_" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _clusterId = "ready-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<ServiceProcess> _processes = [];
    private readonly List<HttpClient> _clients = [];
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await postgres.CreateDatabaseAsync(_database);

    public async Task DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        foreach (var process in _processes)
        {
            output.WriteLine($"--- {process.Name}\n{process.Tail(2000)}");
            await process.DisposeAsync();
        }
    }

    [Fact]
    [Trait("Category", "Process")]
    public async Task ReadyFollowsPostgreSql()
    {
        await using var gate = new TcpGate(postgres.Port);
        var throughGate = _connectionString.Replace($"Port={postgres.Port}", $"Port={gate.Port}", StringComparison.Ordinal);
        var api = Start("api", "Api", ServiceProcess.DurableSettings(throughGate, _clusterId, ("Api__Mode", "cohost")));
        await ExpectAsync(api, "/health/ready", HttpStatusCode.OK, StartTimeout);

        gate.Close();
        await ExpectAsync(api, "/health/ready", HttpStatusCode.ServiceUnavailable, ChangeTimeout);
        await ExpectAsync(api, "/health/live", HttpStatusCode.OK, TimeSpan.Zero);

        gate.Open();
        await ExpectAsync(api, "/health/ready", HttpStatusCode.OK, ChangeTimeout);
    }

    [Fact]
    [Trait("Category", "Process")]
    public async Task AClientApiIsReadyOnlyWhileASiloAnswers()
    {
        var siloPort = ApiFixture.FreePort();
        var silo = StartProcess("silo", "Silo", ServiceProcess.DurableSettings(_connectionString, _clusterId,
            ("Orleans__SiloPort", siloPort.ToString(CultureInfo.InvariantCulture)),
            ("Orleans__GatewayPort", ApiFixture.FreePort().ToString(CultureInfo.InvariantCulture))));
        var api = Start("api", "Api", ServiceProcess.DurableSettings(_connectionString, _clusterId, ("Api__Mode", "client")));
        await ExpectAsync(api, "/health/ready", HttpStatusCode.OK, StartTimeout);

        await silo.KillAsync();
        await ExpectAsync(api, "/health/ready", HttpStatusCode.ServiceUnavailable, ChangeTimeout);
        await ExpectAsync(api, "/health/live", HttpStatusCode.OK, TimeSpan.Zero);
    }

    private ServiceProcess StartProcess(string name, string project, Dictionary<string, string> settings)
    {
        var process = ServiceProcess.Start(name, ServiceProcess.Assembly(project, $"Orleans.Flows.{project}.dll"), settings);
        _processes.Add(process);
        return process;
    }

    /// <summary>Starts the API on a free port; silo ports are free ones too, in case it runs a silo.</summary>
    private (ServiceProcess Process, HttpClient Client) Start(string name, string project, Dictionary<string, string> settings)
    {
        var port = ApiFixture.FreePort();
        settings["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        settings.TryAdd("Orleans__SiloPort", ApiFixture.FreePort().ToString(CultureInfo.InvariantCulture));
        settings.TryAdd("Orleans__GatewayPort", ApiFixture.FreePort().ToString(CultureInfo.InvariantCulture));
        var process = StartProcess(name, project, settings);
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(15) };
        _clients.Add(client);
        return (process, client);
    }

    /// <summary>Polls <paramref name="path"/> until it answers <paramref name="status"/>; with no time allowed, asks once.</summary>
    private static async Task ExpectAsync((ServiceProcess Process, HttpClient Client) api, string path, HttpStatusCode status, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (true)
        {
            try
            {
                using var response = await api.Client.GetAsync(path);
                if (response.StatusCode == status) return;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }
            Assert.False(api.Process.HasExited, $"{api.Process.Name} exited: {api.Process.Tail()}");
            if (clock.Elapsed >= within)
                Assert.Fail($"{path} did not answer {(int)status} within {within.TotalSeconds} s; last: {last}");
            await Task.Delay(250);
        }
    }
}
