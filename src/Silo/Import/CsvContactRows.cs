using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsvHelper;

namespace Orleans.Flows.Silo.Import;

/// <summary>
/// CSV with a header row: <c>id,email,phone,pushToken,firstName,lastName,company,timeZone,tags</c> (tags separated by
/// <c>;</c>), <c>consent.email</c>, <c>consent.sms</c>, <c>consent.push</c> (true/false) and <c>attributes.X</c> for
/// attribute X. Each row becomes the JSON of a contact: an empty field is left out (the upsert keeps what the contact
/// had), an attribute that is a JSON number or true/false is sent as that type, anything else as text.
/// </summary>
internal static partial class CsvContactRows
{
    private static readonly string[] TextFields = ["id", "email", "phone", "pushToken", "firstName", "lastName", "company", "timeZone"];
    private static readonly string[] ConsentChannels = ["email", "sms", "push"];
    private const string ConsentPrefix = "consent.";
    private const string AttributePrefix = "attributes.";

    private enum Kind { Text, Tags, Consent, Attribute }

    private sealed record Column(int Index, Kind Kind, string Name);

    public static async IAsyncEnumerable<ContactRow> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var malformed = new Queue<CsvMalformedRecord>();
        var options = new CsvReaderOptions
        {
            Separator = ',',
            HasHeader = true,
            TrackLineNumbers = true,
            SkipEmptyLines = true,
            // A bad row is reported with its line and skipped; the rows after it are read as usual.
            FieldCountMismatch = CsvFieldCountHandling.Skip,
            MalformedData = CsvMalformedDataHandling.Skip,
            OnMalformedRecord = malformed.Enqueue,
        };
        await using var csv = CsvReader.Create(stream, options, leaveOpen: true);
        await csv.ReadHeaderAsync(cancellationToken);
        var columns = Columns(csv.Headers);
        var buffer = new ArrayBufferWriter<byte>(1024);
        await using var writer = new Utf8JsonWriter(buffer);
        while (await csv.ReadAsync(cancellationToken))
        {
            while (malformed.TryDequeue(out var bad)) yield return Malformed(bad);
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            var error = Write(csv, columns, writer);
            writer.Flush();
            yield return error is null ? new ContactRow(csv.LineNumber, buffer.WrittenSpan.ToArray(), null) : new ContactRow(csv.LineNumber, null, error);
        }
        while (malformed.TryDequeue(out var bad)) yield return Malformed(bad);
    }

    private static ContactRow Malformed(CsvMalformedRecord bad) => new(bad.LineNumber, null, bad.Reason switch
    {
        CsvMalformedReason.FieldCountMismatch => "has a different number of fields than the header",
        CsvMalformedReason.StrayQuote => "has a quote inside an unquoted field",
        CsvMalformedReason.TextAfterClosingQuote => "has text after the closing quote of a field",
        CsvMalformedReason.UnterminatedQuote => "has a quoted field that is never closed",
        _ => "is malformed: " + bad.Reason,
    });

    private static List<Column> Columns(IReadOnlyList<string> headers)
    {
        var columns = new List<Column>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i].Trim();
            Column column;
            if (TextFields.FirstOrDefault(f => f.Equals(header, StringComparison.OrdinalIgnoreCase)) is { } field)
                column = new Column(i, Kind.Text, field);
            else if (header.Equals("tags", StringComparison.OrdinalIgnoreCase))
                column = new Column(i, Kind.Tags, "tags");
            else if (header.StartsWith(ConsentPrefix, StringComparison.OrdinalIgnoreCase) &&
                     ConsentChannels.FirstOrDefault(c => c.Equals(header[ConsentPrefix.Length..], StringComparison.OrdinalIgnoreCase)) is { } channel)
                column = new Column(i, Kind.Consent, channel);
            else if (header.StartsWith(AttributePrefix, StringComparison.OrdinalIgnoreCase) && header.Length > AttributePrefix.Length)
                column = new Column(i, Kind.Attribute, header[AttributePrefix.Length..]);
            else
                throw new ContactFileException(
                    $"column {i + 1} of the header, '{header}', is not a contact field: expected {string.Join(", ", TextFields)}, tags, " +
                    "consent.email, consent.sms, consent.push or attributes.<name>");
            if (!seen.Add($"{column.Kind}:{column.Name}")) throw new ContactFileException($"column '{header}' appears twice in the header");
            columns.Add(column);
        }
        if (!columns.Any(c => c is { Kind: Kind.Text, Name: "id" })) throw new ContactFileException("the header has no 'id' column");
        return columns;
    }

    /// <summary>Writes the row as a contact object; returns what is wrong with it instead when a field cannot be read.</summary>
    private static string? Write(CsvReader csv, List<Column> columns, Utf8JsonWriter json)
    {
        json.WriteStartObject();
        List<(string Channel, bool Granted)>? consent = null;
        List<(string Name, string Value)>? attributes = null;
        foreach (var column in columns)
        {
            var value = (csv.GetString(column.Index) ?? "").Trim();
            if (value.Length == 0) continue;
            switch (column.Kind)
            {
                case Kind.Text:
                    json.WriteString(column.Name, value);
                    break;
                case Kind.Tags:
                    json.WriteStartArray("tags");
                    foreach (var tag in value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)) json.WriteStringValue(tag);
                    json.WriteEndArray();
                    break;
                case Kind.Consent:
                    if (!bool.TryParse(value, out var granted)) return $"{ConsentPrefix}{column.Name}: must be true or false, not '{Shorten(value)}'";
                    (consent ??= []).Add((column.Name, granted));
                    break;
                case Kind.Attribute:
                    (attributes ??= []).Add((column.Name, value));
                    break;
            }
        }
        if (consent is not null)
        {
            json.WriteStartObject("consent");
            foreach (var (channel, granted) in consent) json.WriteBoolean(channel, granted);
            json.WriteEndObject();
        }
        if (attributes is not null)
        {
            json.WriteStartObject("attributes");
            foreach (var (name, value) in attributes)
            {
                json.WritePropertyName(name);
                WriteTyped(value, json);
            }
            json.WriteEndObject();
        }
        json.WriteEndObject();
        return null;
    }

    /// <summary>A JSON number or true/false keeps its type; anything else (including <c>007</c>) is text.</summary>
    private static void WriteTyped(string value, Utf8JsonWriter json)
    {
        if (value.Equals("true", StringComparison.OrdinalIgnoreCase)) json.WriteBooleanValue(true);
        else if (value.Equals("false", StringComparison.OrdinalIgnoreCase)) json.WriteBooleanValue(false);
        else if (JsonNumber().IsMatch(value)) json.WriteRawValue(value, skipInputValidation: true);
        else json.WriteStringValue(value);
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();
}
