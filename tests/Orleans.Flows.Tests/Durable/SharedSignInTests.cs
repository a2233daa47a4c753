using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Orleans.Flows.Tests.Http;
using Orleans.Flows.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orleans.Flows.Tests.Durable;

/// <summary>
/// Two API processes of one durable service behind a balancer: a browser may load the dashboard's sign-in form from
/// one, post it to the other, and use its session on either — the data-protection keys live in PostgreSQL.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class SharedSignInTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Key = "shared-sign-in-admin-key";
    private readonly List<ServiceProcess> _processes = [];
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await postgres.CreateDatabaseAsync("signin_" + Guid.NewGuid().ToString("N")[..8]);

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            output.WriteLine(process.Tail(2000));
            await process.DisposeAsync();
        }
    }

    [Fact]
    [Trait("Category", "Process")]
    public async Task ASignInOnOneApiProcessOpensTheDashboardOnAnother()
    {
        var cluster = "signin-" + Guid.NewGuid().ToString("N")[..8];
        var first = Start("api-1", cluster);
        var second = Start("api-2", cluster);
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(15) };
        foreach (var api in new[] { first, second })
            await Eventually.Matches(() => browser.StatusOrNullAsync(api.Address + "/health/ready"), s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60), $"{api.Process.Name} is ready");

        // The form from the first, posted to the second.
        var form = await browser.GetStringAsync(first.Address + "/dashboard/signin");
        var token = AntiforgeryField().Match(form);
        Assert.True(token.Success, "the sign-in form carries no antiforgery token");
        using var signIn = await browser.PostAsync(second.Address + "/dashboard/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [WebUtility.HtmlDecode(token.Groups["name"].Value)] = WebUtility.HtmlDecode(token.Groups["value"].Value),
            ["key"] = Key,
        }));
        Assert.True(signIn.StatusCode == HttpStatusCode.Redirect, $"sign-in on the second: {(int)signIn.StatusCode} {await signIn.Content.ReadAsStringAsync()}");

        // The session cookie the second issued opens the dashboard on both.
        foreach (var api in new[] { first, second })
        {
            using var page = await browser.GetAsync(api.Address + "/dashboard/GrainTypes");
            Assert.True(page.StatusCode == HttpStatusCode.OK, $"{api.Process.Name}: {(int)page.StatusCode} {page.Headers.Location}");
        }
    }

    private (ServiceProcess Process, string Address) Start(string name, string cluster)
    {
        var port = ApiFixture.FreePort();
        var process = ServiceProcess.Start(name, ServiceProcess.Assembly("Api", "Orleans.Flows.Api.dll"), ServiceProcess.DurableSettings(_connectionString, cluster,
            ("Orleans__SiloPort", ApiFixture.FreePort().ToString(CultureInfo.InvariantCulture)),
            ("Orleans__GatewayPort", ApiFixture.FreePort().ToString(CultureInfo.InvariantCulture)),
            ("Api__Keys__0__Key", Key),
            ("Api__Keys__0__Role", "admin"),
            ("ASPNETCORE_URLS", $"http://127.0.0.1:{port}"),
            // Each process its own content root, as on two machines: data protection must not depend on it.
            ("ASPNETCORE_CONTENTROOT", Directory.CreateTempSubdirectory("flows-" + name).FullName)));
        _processes.Add(process);
        return (process, $"http://127.0.0.1:{port}");
    }

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]+)">""")]
    private static partial Regex AntiforgeryField();
}
