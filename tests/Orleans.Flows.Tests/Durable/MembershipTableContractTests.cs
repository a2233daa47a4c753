using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Flows.Silo;
using Orleans.Flows.Tests.Infrastructure;
using Orleans.Messaging;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;
using Orleans.TestingHost;

namespace Orleans.Flows.Tests.Durable;

/// <summary>
/// The membership queries of the project's schema against the real database. Reads go through the running cluster's
/// own <see cref="IMembershipTable"/>; writes go through an ADO.NET membership table of a deployment of their own in
/// the same database, with made-up silos, so that they neither disturb the cluster nor race its own writes.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MembershipTableContractTests(PostgresServer postgres, ContractCluster shared) : IClassFixture<ContractCluster>, IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private IServiceProvider _silo = null!;

    public async Task InitializeAsync()
    {
        _cluster = await shared.GetAsync(postgres, "membership");
        _silo = _cluster.Silos.OfType<InProcessSiloHandle>().First().ServiceProvider;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task TheClusterTableListsBothSilosAsActiveWithTheirGateways()
    {
        var data = await _silo.GetRequiredService<IMembershipTable>().ReadAllAsync();

        Assert.Equal(_cluster.Silos.Select(s => s.SiloAddress).Order(), data.Members.Select(m => m.Item1.SiloAddress).Order());
        Assert.All(data.Members, m =>
        {
            var silo = _cluster.Silos.Single(s => s.SiloAddress.Equals(m.Item1.SiloAddress));
            Assert.Equal(SiloStatus.Active, m.Item1.Status);
            Assert.True(m.Item1.ProxyPort > 0);
            Assert.Equal(silo.GatewayAddress.Endpoint.Port, m.Item1.ProxyPort);
            Assert.False(string.IsNullOrEmpty(m.Item1.SiloName));
            Assert.False(string.IsNullOrEmpty(m.Item1.HostName));
            Assert.Equal(DateTimeKind.Utc, m.Item1.StartTime.Kind);
            Assert.InRange(m.Item1.IAmAliveTime, DateTime.UtcNow.AddMinutes(-10), DateTime.UtcNow.AddMinutes(1));
            Assert.Equal(data.Version.VersionEtag, m.Item2);
        });
        Assert.True(data.Version.Version > 0);
        Assert.Equal(data.Version.Version.ToString(), data.Version.VersionEtag);
    }

    [Fact]
    public async Task ReadRowReturnsJustThatSiloAndTheTableVersion()
    {
        var table = _silo.GetRequiredService<IMembershipTable>();
        var silo = _cluster.Silos[0].SiloAddress;

        // The running cluster may move the table version on between reads, never back.
        var before = (await table.ReadAllAsync()).Version.Version;
        var row = await table.ReadRowAsync(silo);
        var nobody = await table.ReadRowAsync(FakeAddress());
        var after = (await table.ReadAllAsync()).Version.Version;

        var member = Assert.Single(row.Members);
        Assert.Equal(silo, member.Item1.SiloAddress);
        Assert.Equal(SiloStatus.Active, member.Item1.Status);
        Assert.Equal(row.Version.VersionEtag, member.Item2);
        Assert.InRange(row.Version.Version, before, after);
        Assert.Empty(nobody.Members);
        Assert.InRange(nobody.Version.Version, before, after);
    }

    [Fact]
    public async Task TheClientSeesBothSilosAsGateways()
    {
        var gateways = await _cluster.Client.ServiceProvider.GetRequiredService<IGatewayListProvider>().GetGatewaysAsync();

        Assert.Equal(_cluster.Silos.Select(s => s.GatewayAddress.Endpoint.Port).Order(), gateways.Select(g => g.Port).Order());
        var hosts = await _cluster.Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Equal(2, hosts.Count);
    }

    [Fact]
    public async Task ANewDeploymentHasVersionZeroAndNoMembers()
    {
        var (table, _) = await IsolatedTableAsync();

        var data = await table.ReadAllAsync();
        Assert.Empty(data.Members);
        Assert.Equal(new TableVersion(0, "0"), data.Version);

        // Initialising again (every silo start does) keeps the version row as it is.
        Assert.True(await table.InsertRowAsync(Fake(SiloStatus.Joining), data.Version.Next()));
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        var again = await table.ReadAllAsync();
        Assert.Equal(1, again.Version.Version);
        Assert.Single(again.Members);
        Assert.Empty((await table.ReadRowAsync(FakeAddress())).Members);
    }

    [Fact]
    public async Task InsertRowIsGuardedByTheTableVersionAndTheSilo()
    {
        var (table, _) = await IsolatedTableAsync();
        var before = (await table.ReadAllAsync()).Version;
        var entry = Fake(SiloStatus.Joining);

        Assert.True(await table.InsertRowAsync(entry, before.Next()));

        var data = await table.ReadAllAsync();
        Assert.Equal(before.Version + 1, data.Version.Version);
        var stored = Assert.Single(data.Members).Item1;
        Assert.Equal(entry.SiloAddress, stored.SiloAddress);
        Assert.Equal(entry.SiloName, stored.SiloName);
        Assert.Equal(entry.HostName, stored.HostName);
        Assert.Equal(entry.Status, stored.Status);
        Assert.Equal(entry.ProxyPort, stored.ProxyPort);
        Assert.Equal(entry.StartTime, stored.StartTime);
        Assert.Equal(entry.IAmAliveTime, stored.IAmAliveTime);
        Assert.Null(stored.SuspectTimes);

        // A stale table version: nothing changes.
        var late = Fake(SiloStatus.Joining);
        Assert.False(await table.InsertRowAsync(late, before.Next()));
        // The same silo again, with the current version: nothing changes either.
        Assert.False(await table.InsertRowAsync(Fake(SiloStatus.Joining, entry.SiloAddress), data.Version.Next()));
        var unchanged = await table.ReadAllAsync();
        Assert.Equal(data.Version, unchanged.Version);
        Assert.Single(unchanged.Members);

        Assert.True(await table.InsertRowAsync(late, unchanged.Version.Next()));
        var after = await table.ReadAllAsync();
        Assert.Equal(data.Version.Version + 1, after.Version.Version);
        Assert.Equal(2, after.Members.Count);
    }

    [Fact]
    public async Task UpdateRowIsGuardedByTheTableVersion()
    {
        var (table, _) = await IsolatedTableAsync();
        var voter = FakeAddress();
        var silo = await InsertAsync(table, Fake(SiloStatus.Joining));
        var read = await table.ReadRowAsync(silo);
        var (entry, etag) = read.Members.Single();

        entry.Status = SiloStatus.Active;
        entry.SuspectTimes = [Tuple.Create(voter, WholeSecond(DateTime.UtcNow))];
        entry.IAmAliveTime = WholeSecond(DateTime.UtcNow.AddSeconds(5));
        Assert.True(await table.UpdateRowAsync(entry, etag, read.Version.Next()));

        var updated = await table.ReadRowAsync(silo);
        Assert.Equal(read.Version.Version + 1, updated.Version.Version);
        var stored = updated.Members.Single().Item1;
        Assert.Equal(SiloStatus.Active, stored.Status);
        Assert.Equal(entry.IAmAliveTime, stored.IAmAliveTime);
        var vote = Assert.Single(stored.SuspectTimes!);
        Assert.Equal(voter, vote.Item1);
        Assert.Equal(entry.SuspectTimes[0].Item2, vote.Item2);

        // The same update with the version read before it: refused, nothing changes.
        entry.Status = SiloStatus.Dead;
        Assert.False(await table.UpdateRowAsync(entry, etag, read.Version.Next()));
        var unchanged = await table.ReadRowAsync(silo);
        Assert.Equal(updated.Version, unchanged.Version);
        Assert.Equal(SiloStatus.Active, unchanged.Members.Single().Item1.Status);

        // With the current one it goes through.
        var (current, currentETag) = unchanged.Members.Single();
        current.Status = SiloStatus.Dead;
        Assert.True(await table.UpdateRowAsync(current, currentETag, unchanged.Version.Next()));
        Assert.Equal(SiloStatus.Dead, (await table.ReadRowAsync(silo)).Members.Single().Item1.Status);
    }

    [Fact]
    public async Task UpdateRowOfASiloThatIsNotInTheTableChangesNothing()
    {
        // IMembershipTable.UpdateRow: it fails when the silo has no row, "atomically, with no side effects".
        var (table, _) = await IsolatedTableAsync();
        await InsertAsync(table, Fake(SiloStatus.Active));
        var before = await table.ReadAllAsync();

        Assert.False(await table.UpdateRowAsync(Fake(SiloStatus.Dead), before.Version.VersionEtag, before.Version.Next()));

        Assert.Equal(before.Version, (await table.ReadAllAsync()).Version);
    }

    [Fact]
    public async Task UpdateIAmAliveChangesOnlyTheHeartbeat()
    {
        var (table, _) = await IsolatedTableAsync();
        var silo = await InsertAsync(table, Fake(SiloStatus.Active));
        var read = await table.ReadRowAsync(silo);
        var (entry, etag) = read.Members.Single();
        var before = entry.IAmAliveTime;

        var heartbeat = new MembershipEntry { SiloAddress = silo, IAmAliveTime = before.AddMinutes(1) };
        await table.UpdateIAmAliveAsync(heartbeat);

        var after = await table.ReadRowAsync(silo);
        var stored = after.Members.Single().Item1;
        Assert.Equal(before.AddMinutes(1), stored.IAmAliveTime);
        Assert.Equal(read.Version, after.Version);
        Assert.Equal(SiloStatus.Active, stored.Status);
        Assert.Equal(entry.SiloName, stored.SiloName);
        Assert.Equal(entry.ProxyPort, stored.ProxyPort);

        // What was read before the heartbeat is still good for an update.
        entry.Status = SiloStatus.ShuttingDown;
        Assert.True(await table.UpdateRowAsync(entry, etag, read.Version.Next()));
    }

    [Fact]
    public async Task GatewaysAreTheActiveSilosWithAProxyPort()
    {
        var (table, clusterId) = await IsolatedTableAsync();
        var gateway = await InsertAsync(table, Fake(SiloStatus.Active));
        await InsertAsync(table, Fake(SiloStatus.Active, proxyPort: 0));
        await InsertAsync(table, Fake(SiloStatus.Joining));
        await InsertAsync(table, Fake(SiloStatus.Dead));
        var provider = new AdoNetGatewayListProvider(NullLogger<AdoNetGatewayListProvider>.Instance, _silo,
            Options.Create(new AdoNetClusteringClientOptions { Invariant = FlowsSilo.PostgreSqlInvariant, ConnectionString = shared.ConnectionString }),
            Options.Create(new GatewayOptions()), Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = DurableCluster.ServiceId }));
        await provider.InitializeGatewayListProviderAsync();

        var gateways = await provider.GetGatewaysAsync();

        var uri = Assert.Single(gateways);
        var expected = (await table.ReadRowAsync(gateway)).Members.Single().Item1;
        Assert.Equal(expected.ProxyPort, uri.Port);
        Assert.Equal(gateway.Endpoint.Address.ToString(), uri.Host);
        Assert.Equal($"/{gateway.Generation}", uri.AbsolutePath);
    }

    [Fact]
    public async Task CleanupRemovesOnlyDeadSilosNotHeardOfSinceTheCutOff()
    {
        var (table, _) = await IsolatedTableAsync();
        var longAgo = WholeSecond(DateTime.UtcNow.AddHours(-3));
        var deadLongAgo = await InsertAsync(table, Fake(SiloStatus.Dead, aliveAt: longAgo));
        var deadRecently = await InsertAsync(table, Fake(SiloStatus.Dead));
        var activeLongAgo = await InsertAsync(table, Fake(SiloStatus.Active, aliveAt: longAgo));

        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddHours(-1));

        var left = (await table.ReadAllAsync()).Members.Select(m => m.Item1.SiloAddress).ToList();
        Assert.DoesNotContain(deadLongAgo, left);
        Assert.Contains(deadRecently, left);
        Assert.Contains(activeLongAgo, left);
    }

    [Fact]
    public async Task DeletingTheDeploymentRemovesItsMembers()
    {
        var (table, clusterId) = await IsolatedTableAsync();
        await InsertAsync(table, Fake(SiloStatus.Active));
        var (other, _) = await IsolatedTableAsync();
        await InsertAsync(other, Fake(SiloStatus.Active));

        await table.DeleteMembershipTableEntriesAsync(clusterId);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);

        var data = await table.ReadAllAsync();
        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
        Assert.Single((await other.ReadAllAsync()).Members);
    }

    /// <summary>An ADO.NET membership table of a deployment of its own, initialised as a silo would.</summary>
    private async Task<(AdoNetClusteringTable Table, string ClusterId)> IsolatedTableAsync()
    {
        var clusterId = TestIds.New("contract");
        var table = new AdoNetClusteringTable(_silo,
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = DurableCluster.ServiceId }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = FlowsSilo.PostgreSqlInvariant, ConnectionString = shared.ConnectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        return (table, clusterId);
    }

    /// <summary>Inserts with the current version, as a joining silo does.</summary>
    private static async Task<SiloAddress> InsertAsync(IMembershipTable table, MembershipEntry entry)
    {
        var version = (await table.ReadAllAsync()).Version;
        Assert.True(await table.InsertRowAsync(entry, version.Next()));
        return entry.SiloAddress;
    }

    private static int _nextPort = 40000;

    private static SiloAddress FakeAddress() =>
        SiloAddress.New(new IPEndPoint(IPAddress.Parse("10.255.0.1"), Interlocked.Increment(ref _nextPort)), Random.Shared.Next(1, int.MaxValue));

    private static MembershipEntry Fake(SiloStatus status, SiloAddress? address = null, int? proxyPort = null, DateTime? aliveAt = null)
    {
        var silo = address ?? FakeAddress();
        var now = WholeSecond(DateTime.UtcNow);
        return new MembershipEntry
        {
            SiloAddress = silo,
            SiloName = "fake-" + silo.Endpoint.Port,
            HostName = "fake-host",
            Status = status,
            ProxyPort = proxyPort ?? silo.Endpoint.Port + 1000,
            StartTime = now.AddMinutes(-1),
            IAmAliveTime = aliveAt ?? now,
        };
    }

    private static DateTime WholeSecond(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
}
