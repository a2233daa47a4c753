using System.Text.Json;

namespace Orleans.Flows.Api.Http;

/// <summary>
/// Strings a body may not carry anywhere. The JSON parser accepts invalid UTF-8 and lone surrogates inside strings
/// (they only fail when a string is read, as an <see cref="InvalidOperationException"/> deep inside an endpoint), and
/// U+0000, which PostgreSQL's <c>jsonb</c> cannot store, so durable mode would fail the write with a 500.
/// </summary>
public static class JsonText
{
    /// <summary>The first string or property name that is not valid text or holds U+0000, by JSON path; null when there is none.</summary>
    public static (string Path, string Message)? FindUnusableString(JsonElement element, string path = "$")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Check(element.GetString, path);
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    // A bad name cannot be part of a path: name its object.
                    if (Check(() => property.Name, path) is { } badName) return badName;
                    if (FindUnusableString(property.Value, Child(path, property.Name)) is { } found) return found;
                }
                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindUnusableString(item, $"{path}[{i}]") is { } found) return found;
                    i++;
                }
                return null;
            default:
                return null;
        }
    }

    private static (string, string)? Check(Func<string?> read, string path)
    {
        try
        {
            var text = read();
            if (text is null) return null;
            if (text.Contains('\0')) return (path, "may not contain the character U+0000");
            return HasLoneSurrogate(text) ? (path, "is not valid Unicode text (a lone surrogate)") : null;
        }
        catch (InvalidOperationException)
        {
            return (path, "is not valid UTF-8 text");
        }
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) return true;
        }
        return false;
    }

    private static string Child(string path, string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? $"{path}.{name}" : $"{path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";
}
