using System.Text.RegularExpressions;

namespace Orleans.Flows.Values;

/// <summary>Ids of contacts, flows, steps, content and segments: 1–128 characters of <c>[A-Za-z0-9._:@-]</c>.</summary>
public static partial class Ids
{
    public const int MaxLength = InputLimits.MaxIdLength;

    public const string Rule = "must be 1-128 characters of A-Z, a-z, 0-9 and . _ : @ -";

    public static bool IsValid(string? id) => id is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9._:@-]+$")]
    private static partial Regex Pattern();
}
