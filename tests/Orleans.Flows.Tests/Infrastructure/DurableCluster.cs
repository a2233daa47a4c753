using Microsoft.Extensions.Configuration;
using Orleans.Flows.Silo;
using Orleans.TestingHost;

namespace Orleans.Flows.Tests.Infrastructure;

/// <summary>
/// A two-silo Orleans test cluster whose membership, grain state and reminders are all in a PostgreSQL
/// database: the durable mode's providers with the project's own schema. Starting another one on the same
/// database is a restart of the whole service.
/// </summary>
public static class DurableCluster
{
    public const string ServiceId = "flows-tests";
    public const string TrackingKey = "durable-tests-tracking-key-0123456789";
    public const string TrackingBaseUrl = "http://flows.test";

    /// <param name="settings">Configuration beside the connection string, e.g. <c>Storage:Participants</c>.</param>
    public static async Task<TestCluster> StartAsync(string connectionString, string clusterId, int silos = 2, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = new TestClusterBuilder((short)silos);
        builder.Options.ClusterId = clusterId;
        builder.Options.ServiceId = ServiceId;
        builder.Options.UseTestClusterMembership = false;
        var configuration = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Flows"] = connectionString,
            ["Tracking:SigningKey"] = TrackingKey,
            ["Tracking:BaseUrl"] = TrackingBaseUrl,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) configuration[key] = value;
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(configuration));
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.AddFlowsOnPostgreSql(siloBuilder.Configuration.GetConnectionString("Flows")!, siloBuilder.Configuration);
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.UseAdoNetClustering(o =>
            {
                o.Invariant = FlowsSilo.PostgreSqlInvariant;
                o.ConnectionString = configuration.GetConnectionString("Flows");
            });
    }
}
