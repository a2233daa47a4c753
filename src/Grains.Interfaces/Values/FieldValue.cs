using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orleans.Flows.Values;

public enum FieldValueKind { Null, String, Number, Boolean, Array }

/// <summary>
/// A JSON scalar (or an array of scalars) as held in contact attributes, event properties and condition
/// values. Kept as its own small type because grain messages cannot carry <see cref="JsonElement"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("flows.FieldValue")]
[JsonConverter(typeof(FieldValueJsonConverter))]
public sealed record FieldValue
{
    public static readonly FieldValue Null = new() { Kind = FieldValueKind.Null };

    [Id(0)] public FieldValueKind Kind { get; init; }
    [Id(1)] public string? Text { get; init; }
    [Id(2)] public double Number { get; init; }
    [Id(3)] public bool Boolean { get; init; }
    [Id(4)] public ImmutableArray<FieldValue> Items { get; init; } = [];

    public static FieldValue Of(string text) => new() { Kind = FieldValueKind.String, Text = text };
    public static FieldValue Of(double number) => new() { Kind = FieldValueKind.Number, Number = number };
    public static FieldValue Of(bool value) => new() { Kind = FieldValueKind.Boolean, Boolean = value };
    public static FieldValue Of(IEnumerable<FieldValue> items) => new() { Kind = FieldValueKind.Array, Items = [.. items] };

    /// <summary>The value as text for string comparisons; numbers in invariant culture.</summary>
    public string? AsText() => Kind switch
    {
        FieldValueKind.String => Text,
        FieldValueKind.Number => Number.ToString(CultureInfo.InvariantCulture),
        FieldValueKind.Boolean => Boolean ? "true" : "false",
        _ => null,
    };

    /// <summary>The value as a number when it is one or is a string that parses as one.</summary>
    public double? AsNumber() => Kind switch
    {
        FieldValueKind.Number => Number,
        FieldValueKind.String when double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };

    public bool Equals(FieldValue? other) =>
        other is not null && Kind == other.Kind && Kind switch
        {
            FieldValueKind.Null => true,
            FieldValueKind.String => string.Equals(Text, other.Text, StringComparison.Ordinal),
            FieldValueKind.Number => Number.Equals(other.Number),
            FieldValueKind.Boolean => Boolean == other.Boolean,
            FieldValueKind.Array => Items.SequenceEqual(other.Items),
            _ => false,
        };

    public override int GetHashCode() => HashCode.Combine(Kind, Text, Number, Boolean, Items.Length);

    public static FieldValue FromJson(JsonElement element, int depth = 0) => element.ValueKind switch
    {
        JsonValueKind.String => Of(element.GetString()!),
        JsonValueKind.Number => Of(element.GetDouble()),
        JsonValueKind.True => Of(true),
        JsonValueKind.False => Of(false),
        JsonValueKind.Null => Null,
        JsonValueKind.Array when depth == 0 => Of(element.EnumerateArray().Select(e => FromJson(e, depth + 1))),
        _ => throw new JsonException("expected a string, number, boolean, null or an array of those"),
    };

    public void WriteTo(Utf8JsonWriter writer)
    {
        switch (Kind)
        {
            case FieldValueKind.String: writer.WriteStringValue(Text); break;
            case FieldValueKind.Number: writer.WriteNumberValue(Number); break;
            case FieldValueKind.Boolean: writer.WriteBooleanValue(Boolean); break;
            case FieldValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in Items) item.WriteTo(writer);
                writer.WriteEndArray();
                break;
            default: writer.WriteNullValue(); break;
        }
    }
}

public sealed class FieldValueJsonConverter : JsonConverter<FieldValue>
{
    public override bool HandleNull => true;

    public override FieldValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return FieldValue.FromJson(document.RootElement);
    }

    public override void Write(Utf8JsonWriter writer, FieldValue value, JsonSerializerOptions options) => value.WriteTo(writer);
}
