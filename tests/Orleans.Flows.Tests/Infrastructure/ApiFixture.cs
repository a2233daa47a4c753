using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Orleans.Flows.Tests.Infrastructure;

/// <summary>
/// The API in its default (cohost, in-memory) mode, in process, with one key per role. Silo ports are free
/// ports so that it can run beside other clusters.
/// </summary>
public class ApiFixture : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key";
    public const string EditorKey = "test-editor-key";
    public const string IngestKey = "test-ingest-key";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Orleans:SiloPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:GatewayPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Api:Keys:0:Key", AdminKey);
        builder.UseSetting("Api:Keys:0:Role", "admin");
        builder.UseSetting("Api:Keys:1:Key", EditorKey);
        builder.UseSetting("Api:Keys:1:Role", "editor");
        builder.UseSetting("Api:Keys:2:Key", IngestKey);
        builder.UseSetting("Api:Keys:2:Role", "ingest");
    }

    /// <summary>A client that sends <paramref name="apiKey"/> (the admin key unless told otherwise).</summary>
    public HttpClient Client(string? apiKey = AdminKey)
    {
        var client = CreateClient();
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    /// <summary>
    /// A port free now and never handed out before in this test run: the system may offer a port it just gave back,
    /// and two services of one test (a silo's port and a metrics port, say) must not get the same one.
    /// </summary>
    public static int FreePort()
    {
        lock (HandedOut)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (HandedOut.Add(port)) return port;
            }
        }
    }

    private static readonly HashSet<int> HandedOut = [];
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}
