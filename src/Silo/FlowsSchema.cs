using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Orleans.Flows.Silo;

/// <summary>
/// The project's own database schema: numbered SQL scripts embedded in this assembly, applied in order, each
/// once, each in its own transaction, recorded in <c>flows_schema_migrations</c>. Safe to run again and from
/// several processes at once (an advisory lock serialises them).
/// </summary>
public static partial class FlowsSchema
{
    private const long MigrationLockKey = 0x0F10_0575_C4E3A;

    public sealed record Script(int Version, string Name, string Sql);

    public static IReadOnlyList<Script> Scripts()
    {
        var assembly = typeof(FlowsSchema).Assembly;
        return [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Schema.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => Load(assembly, n))
            .OrderBy(s => s.Version)];
    }

    /// <summary>Applies every script not applied yet; returns the names of those it applied.</summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(string connectionString, ILogger logger, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, $"select pg_advisory_lock({MigrationLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, null, """
                create table if not exists flows_schema_migrations (
                    version    integer primary key,
                    name       text not null,
                    applied_at timestamptz not null default now()
                )
                """, cancellationToken);
            var applied = new HashSet<int>();
            await using (var read = new NpgsqlCommand("select version from flows_schema_migrations", connection))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
                while (await reader.ReadAsync(cancellationToken)) applied.Add(reader.GetInt32(0));

            var done = new List<string>();
            foreach (var script in Scripts().Where(s => !applied.Contains(s.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, transaction, script.Sql, cancellationToken);
                await using (var record = new NpgsqlCommand("insert into flows_schema_migrations (version, name) values ($1, $2)", connection, transaction))
                {
                    record.Parameters.AddWithValue(script.Version);
                    record.Parameters.AddWithValue(script.Name);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }
                await transaction.CommitAsync(cancellationToken);
                LogInformationApplied(logger, script.Version, script.Name);
                done.Add(script.Name);
            }
            if (done.Count == 0) LogInformationUpToDate(logger, applied.Count);
            return done;
        }
        finally
        {
            await ExecuteAsync(connection, null, $"select pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Script Load(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        var name = resource["Schema.".Length..^".sql".Length];
        return new Script(int.Parse(name[..name.IndexOf('_', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture), name, reader.ReadToEnd());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema script {Version}: {Name}")]
    private static partial void LogInformationApplied(ILogger logger, int version, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema is up to date ({Count} scripts applied earlier)")]
    private static partial void LogInformationUpToDate(ILogger logger, int count);
}
