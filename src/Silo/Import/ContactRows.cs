using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Orleans.Flows.Silo.Import;

/// <summary>The formats <see cref="ContactFileImport"/> reads, chosen by the file's extension.</summary>
public enum ContactFileFormat { Ndjson, Csv }

/// <summary>One contact read from a file: the JSON item of the batch, or why its line was refused.</summary>
internal readonly record struct ContactRow(long Line, byte[]? Json, string? Error);

/// <summary>A file that cannot be imported at all (an unreadable file, a CSV header without <c>id</c>): exit code 2.</summary>
public sealed class ContactFileException(string message) : Exception(message);

/// <summary>
/// NDJSON (<c>.ndjson</c>, <c>.jsonl</c>): one contact a line, exactly the body of <c>PUT /v1/contacts/{id}</c> plus
/// <c>id</c>. A line is checked to be one JSON object and sent as it is; the API checks the fields.
/// </summary>
internal static class NdjsonContactRows
{
    public static async IAsyncEnumerable<ContactRow> ReadAsync(TextReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long line = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            var json = Encoding.UTF8.GetBytes(text);
            var error = ObjectProblem(json);
            yield return error is null ? new ContactRow(line, json, null) : new ContactRow(line, null, error);
        }
    }

    /// <summary>Null when <paramref name="json"/> is exactly one JSON object, else what is wrong with it.</summary>
    internal static string? ObjectProblem(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read()) return "is empty";
            if (reader.TokenType != JsonTokenType.StartObject) return "must be a JSON object";
            reader.Skip();
            // A second value on the line throws here.
            while (reader.Read())
            {
            }
            return null;
        }
        catch (JsonException ex)
        {
            return "is not valid JSON: " + ex.Message;
        }
    }
}
