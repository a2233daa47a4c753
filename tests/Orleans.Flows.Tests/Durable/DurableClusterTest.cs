using Npgsql;
using Orleans.Flows.Tests.Infrastructure;
using Orleans.TestingHost;

namespace Orleans.Flows.Tests.Durable;

/// <summary>
/// A test with a database and a durable two-silo cluster of its own (xUnit makes one instance per test), on the
/// collection's <see cref="PostgresServer"/>, and a way to count rows in that database.
/// </summary>
public abstract class DurableClusterTest(PostgresServer postgres, string databasePrefix) : IAsyncLifetime
{
    protected string Database { get; } = databasePrefix + "_" + Guid.NewGuid().ToString("N")[..8];

    protected string ConnectionString { get; private set; } = "";

    protected TestCluster Cluster { get; private set; } = null!;

    protected IGrainFactory Grains => Cluster.Client;

    /// <summary>Configuration the silos get beside the connection string.</summary>
    protected virtual IReadOnlyDictionary<string, string?>? Settings => null;

    public virtual async Task InitializeAsync()
    {
        ConnectionString = await postgres.CreateDatabaseAsync(Database);
        Cluster = await DurableCluster.StartAsync(ConnectionString, Database, settings: Settings);
    }

    public virtual async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        // Killed silos never close their pools; the server's connection slots are shared by every test class.
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Stops every silo and starts a new cluster on the same database: a restart of the whole service.</summary>
    protected async Task RestartAsync()
    {
        await DisposeAsync();
        Cluster = await DurableCluster.StartAsync(ConnectionString, Database, settings: Settings);
    }

    /// <summary>The single number <paramref name="sql"/> returns, with <paramref name="parameter"/> as <c>$1</c>.</summary>
    protected async Task<long> CountAsync(string sql, string parameter)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue(parameter);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
