using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Flows.Silo;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Durable;

[Collection(PostgresCollection.Name)]
public sealed class SchemaMigrationTests(PostgresServer postgres)
{
    [Fact]
    public async Task MigratingTwiceAppliesEachScriptOnce()
    {
        // CreateDatabaseAsync migrates once already.
        var connectionString = await postgres.CreateDatabaseAsync("migrate_twice");

        var second = await FlowsSchema.MigrateAsync(connectionString, NullLogger.Instance);

        Assert.Empty(second);
        Assert.Equal(FlowsSchema.Scripts().Count, await ScalarAsync<long>(connectionString, "select count(*) from flows_schema_migrations"));
    }

    [Fact]
    public async Task SchemaHoldsEveryQueryTheOrleansProvidersLoad()
    {
        var connectionString = await postgres.CreateDatabaseAsync("queries");
        string[] required =
        [
            "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey", "MembershipReadAllKey",
            "MembershipReadRowKey", "GatewaysQueryKey", "DeleteMembershipTableEntriesKey", "CleanupDefunctSiloEntriesKey",
            "UpsertReminderRowKey", "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
            "DeleteReminderRowKey", "DeleteReminderRowsKey", "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey",
        ];

        var keys = new List<string>();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("select querykey from orleansquery", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) keys.Add(reader.GetString(0));
        }

        Assert.Empty(required.Except(keys));
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
