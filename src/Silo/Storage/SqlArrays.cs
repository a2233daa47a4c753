using Npgsql;
using NpgsqlTypes;

namespace Orleans.Flows.Silo.Storage;

/// <summary>Array parameters for the multi-row statements (<c>unnest($1::text[], …)</c>) that group commit builds.</summary>
public static class SqlArrays
{
    public static NpgsqlParameter<string?[]> Text(IEnumerable<string?> values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = [.. values] };
}
