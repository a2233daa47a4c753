using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Flows.Delivery;
using Orleans.Flows.Silo;
using Orleans.TestingHost;

namespace Orleans.Flows.Tests.Infrastructure;

/// <summary>
/// One Orleans test cluster (two silos, in memory) shared by every grain test; each test uses fresh keys. The
/// silos share one in-memory outbox, as the silos of a cluster share the PostgreSQL outbox: a participant that
/// moves to the other silo still finds its messages.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(initialSilosCount: 2);
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection([new(OutboxKey, Guid.NewGuid().ToString("N"))]));
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private const string OutboxKey = "Tests:OutboxKey";
    private static readonly ConcurrentDictionary<string, IOutbox> Outboxes = new();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var key = siloBuilder.Configuration[OutboxKey] ?? throw new InvalidOperationException("The test cluster names no outbox.");
            siloBuilder.Services.AddSingleton(Outboxes.GetOrAdd(key, _ => new MemoryOutbox(TimeProvider.System)));
            siloBuilder.AddFlowsInMemory(new ConfigurationBuilder().Build());
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
