using Orleans.Flows.Tests.Infrastructure;
using Orleans.TestingHost;

namespace Orleans.Flows.Tests.Durable;

/// <summary>
/// One durable two-silo cluster for all the tests of a contract test class: a class fixture that starts, on first
/// use, on a fresh database of the collection's <see cref="PostgresServer"/> (which a class fixture cannot be given
/// in its constructor), and stops when the class is done. Tests that share it use fresh keys.
/// </summary>
public sealed class ContractCluster : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TestCluster? _cluster;

    public string ConnectionString { get; private set; } = "";

    public async Task<TestCluster> GetAsync(PostgresServer postgres, string databasePrefix, IReadOnlyDictionary<string, string?>? settings = null)
    {
        await _gate.WaitAsync();
        try
        {
            if (_cluster is null)
            {
                var database = databasePrefix + "_" + Guid.NewGuid().ToString("N")[..8];
                ConnectionString = await postgres.CreateDatabaseAsync(database);
                _cluster = await DurableCluster.StartAsync(ConnectionString, database, settings: settings);
            }
            return _cluster;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
        }
        _gate.Dispose();
    }
}
