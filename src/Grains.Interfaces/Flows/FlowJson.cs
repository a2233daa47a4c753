using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Xml;
using Orleans.Flows.Values;

namespace Orleans.Flows.Flows;

/// <summary>The JSON shape of every model of the API: camelCase, enums by camelCase name, ISO-8601 durations.</summary>
public static class FlowJson
{
    /// <summary>Conditions deeper than this are refused, so a hostile body cannot exhaust the stack.</summary>
    public const int MaxConditionDepth = InputLimits.MaxConditionDepth;

    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = false;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.AllowOutOfOrderMetadataProperties = true;
        options.RespectNullableAnnotations = true;
        options.MaxDepth = InputLimits.MaxJsonDepth;
        options.TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { DropComputedStepMembers } };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.Converters.Add(new IsoDurationJsonConverter());
        options.Converters.Add(new TimeOfDayJsonConverter());
        return options;
    }

    /// <summary>
    /// Steps and conditions expose computed members (<c>Type</c>, <c>Targets</c>, <c>Waits</c>, <c>Channel</c>)
    /// for the engine; they are not part of the JSON, where <c>type</c> is the discriminator.
    /// </summary>
    private static void DropComputedStepMembers(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object || !(typeof(Step).IsAssignableFrom(info.Type) || typeof(Condition).IsAssignableFrom(info.Type))) return;
        for (var i = info.Properties.Count - 1; i >= 0; i--)
            if (info.Properties[i].Set is null) info.Properties.RemoveAt(i);
    }

    public static string FormatDuration(TimeSpan value) => XmlConvert.ToString(value);

    /// <summary>Parses an ISO-8601 duration such as <c>PT30S</c> or <c>P2D</c>; years and months are refused as ambiguous.</summary>
    public static bool TryParseDuration(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrEmpty(text) || text[0] != 'P') return false;
        var datePart = text.Split('T')[0];
        if (datePart.Contains('Y') || datePart.Contains('M')) return false;
        try
        {
            value = XmlConvert.ToTimeSpan(text);
            return value >= TimeSpan.Zero;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
    }
}

public sealed class IsoDurationJsonConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String || !FlowJson.TryParseDuration(reader.GetString(), out var value))
            throw new JsonException("expected an ISO-8601 duration such as \"PT30S\" or \"P2D\"");
        return value;
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteStringValue(FlowJson.FormatDuration(value));
}

public sealed class TimeOfDayJsonConverter : JsonConverter<TimeOnly>
{
    public override TimeOnly Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String ||
            !TimeOnly.TryParseExact(reader.GetString(), ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
            throw new JsonException("expected a time of day such as \"09:00\"");
        return value;
    }

    public override void Write(Utf8JsonWriter writer, TimeOnly value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(value.Second == 0 ? "HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture));
}

public sealed class ReentryJsonConverter : JsonConverter<Reentry>
{
    public override Reentry Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString() switch
            {
                "never" => Reentry.Never,
                "always" => Reentry.Always,
                _ => throw new JsonException("expected \"never\", \"always\" or {\"after\": \"P30D\"}"),
            };
        }
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind == JsonValueKind.Object &&
            document.RootElement.TryGetProperty("after", out var after) &&
            after.ValueKind == JsonValueKind.String &&
            FlowJson.TryParseDuration(after.GetString(), out var period))
        {
            return new Reentry { Mode = ReentryMode.After, After = period };
        }
        throw new JsonException("expected \"never\", \"always\" or {\"after\": \"P30D\"}");
    }

    public override void Write(Utf8JsonWriter writer, Reentry value, JsonSerializerOptions options)
    {
        switch (value.Mode)
        {
            case ReentryMode.After:
                writer.WriteStartObject();
                writer.WriteString("after", FlowJson.FormatDuration(value.After ?? TimeSpan.Zero));
                writer.WriteEndObject();
                break;
            default:
                writer.WriteStringValue(value.Mode == ReentryMode.Always ? "always" : "never");
                break;
        }
    }
}

/// <summary>Reads a condition by the key it carries and writes it back in the same shape.</summary>
public sealed class ConditionJsonConverter : JsonConverter<Condition>
{
    private static readonly string[] Kinds = ["attribute", "property", "event", "all", "any", "not"];

    public override Condition Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("expected a condition object with one of: " + string.Join(", ", Kinds));
        if (reader.CurrentDepth > FlowJson.MaxConditionDepth * 2 + 8)
            throw new JsonException($"conditions may nest at most {FlowJson.MaxConditionDepth} levels");

        // Find the kind without consuming the reader, then let the serializer read the concrete record so its
        // path tracking (and so the error paths) stay exact.
        var probe = reader;
        string? kind = null;
        var depth = probe.CurrentDepth;
        while (probe.Read() && !(probe.TokenType == JsonTokenType.EndObject && probe.CurrentDepth == depth))
        {
            if (probe.TokenType == JsonTokenType.PropertyName && probe.CurrentDepth == depth + 1)
            {
                var name = probe.GetString();
                if (name is not null && Kinds.Contains(name))
                {
                    if (kind is not null)
                        throw new JsonException($"a condition has exactly one of {string.Join(", ", Kinds)}; found both {kind} and {name}");
                    kind = name;
                }
                probe.Read();
                probe.Skip();
            }
        }

        return kind switch
        {
            "attribute" => Deserialize<AttributeCondition>(ref reader, options),
            "property" => Deserialize<PropertyCondition>(ref reader, options),
            "event" => Deserialize<EventCondition>(ref reader, options),
            "all" => Deserialize<AllCondition>(ref reader, options),
            "any" => Deserialize<AnyCondition>(ref reader, options),
            "not" => Deserialize<NotCondition>(ref reader, options),
            _ => throw new JsonException("expected a condition object with one of: " + string.Join(", ", Kinds)),
        };
    }

    private static T Deserialize<T>(ref Utf8JsonReader reader, JsonSerializerOptions options) where T : Condition
    {
        try
        {
            return JsonSerializer.Deserialize<T>(ref reader, options) ?? throw new JsonException("a condition may not be null");
        }
        catch (JsonException inner)
        {
            // A nested read tracks its path from its own root: hand the relative path up so that the error can
            // name the whole path (e.g. $.steps[2].if.all[0].op) once the outer read adds where it was.
            var error = new JsonException(JsonErrors.MessageOf(inner));
            error.Data[JsonErrors.RelativePathKey] = JsonErrors.PathOf(inner);
            throw error;
        }
    }

    public override void Write(Utf8JsonWriter writer, Condition value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, value.GetType(), options);
}

/// <summary>Turns a <see cref="JsonException"/> into the JSON path and message a problem response names.</summary>
public static class JsonErrors
{
    internal const string RelativePathKey = "flows.relativePath";

    public static string PathOf(JsonException exception)
    {
        var path = exception.Path ?? "$";
        if (exception.Data[RelativePathKey] is string relative && relative.Length > 1)
            path = path == "$" ? relative : path + relative[1..];
        return path;
    }

    public static string MessageOf(JsonException exception)
    {
        var message = exception.Message;
        var at = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (at >= 0) message = message[..at];
        if (message.StartsWith("The JSON value could not be converted to ", StringComparison.Ordinal))
        {
            var typeName = message["The JSON value could not be converted to ".Length..].TrimEnd('.');
            return EnumNames(typeName) is { } names ? "must be one of " + names : WrongType;
        }
        if (message.Contains("type discriminator", StringComparison.Ordinal))
            return "unknown or missing type";
        if (message.Contains("doesn't allow setting null values", StringComparison.Ordinal) ||
            message.Contains("does not allow null values", StringComparison.Ordinal))
            return "is required and may not be null";
        return message;
    }

    /// <summary>
    /// Each error an exception stands for, by JSON path: a missing required member is named by its own path
    /// (<c>$.steps[0].contentId</c>), not by its parent's.
    /// </summary>
    /// <param name="target">The type being read: where the serializer names it instead of the enum it could not read
    /// (a constructor parameter), the enum is found by walking <paramref name="target"/> along the path.</param>
    public static IEnumerable<(string Path, string Message)> Describe(JsonException exception, Type? target = null)
    {
        var path = PathOf(exception);
        const string marker = "missing required properties including: ";
        var at = exception.Message.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            var message = MessageOf(exception);
            if (message == WrongType && target is not null && EnumAt(target, path) is { } allowed) message = "must be one of " + allowed;
            return [(path, message)];
        }
        var names = exception.Message[(at + marker.Length)..].Split(" Path: ")[0].TrimEnd('.')
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(n => n.Trim('\''));
        return names.Select(n => ($"{path}.{n}", "is required")).ToList();
    }

    private const string WrongType = "has the wrong type or format";

    private static string? EnumNames(string typeName)
    {
        // An optional enum is named "System.Nullable`1[Orleans.Flows…]", whose argument Type.GetType cannot find here.
        const string nullable = "System.Nullable`1[";
        if (typeName.StartsWith(nullable, StringComparison.Ordinal) && typeName.EndsWith(']')) typeName = typeName[nullable.Length..^1];
        return EnumNames(Type.GetType(typeName) ?? typeof(FlowJson).Assembly.GetType(typeName));
    }

    private static string? EnumNames(Type? type)
    {
        if (Nullable.GetUnderlyingType(type ?? typeof(object)) is { } underlying) type = underlying;
        if (type is not { IsEnum: true }) return null;
        return string.Join(", ", Enum.GetNames(type).Select(n => JsonNamingPolicy.CamelCase.ConvertName(n)));
    }

    /// <summary>The names of the enum at a JSON path (<c>$.channel</c>, <c>$.items[2].status</c>) of <paramref name="type"/>, if it is one.</summary>
    private static string? EnumAt(Type type, string path)
    {
        foreach (var segment in path.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment.Split('[')[0];
            var property = type.GetProperty(name, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase);
            if (property is null) return null;
            type = property.PropertyType;
            for (var i = 0; i < segment.Count(c => c == '['); i++)
            {
                var element = type.IsArray ? type.GetElementType() : type.GetInterfaces().Append(type)
                    .FirstOrDefault(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
                if (element is null) return null;
                type = element;
            }
        }
        return EnumNames(type);
    }
}
