using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Fluid;
using Orleans.Flows.Interpretation;

namespace Orleans.Flows.Content;

/// <summary>
/// The rules content must follow before it is saved, including that every template parses as Liquid: a
/// template error is found when the content is saved, not when a message is sent.
/// </summary>
public static partial class ContentValidator
{
    public const int MaxNameLength = 200;
    public const int MaxSmsLength = 1600;
    public const int MaxBodyLength = 1_000_000;

    private static readonly FluidParser Parser = new();

    public static ImmutableSortedDictionary<string, string[]> Validate(ContentItem item)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(item.Name)) errors.Add("$.name", "is required");
        else if (item.Name.Length > MaxNameLength) errors.Add("$.name", $"must be at most {MaxNameLength} characters");

        switch (item.Channel)
        {
            case Channel.Email:
                Template("$.subject", item.Subject, required: true, 998, errors);
                Template("$.html", item.Html, required: true, MaxBodyLength, errors);
                Template("$.text", item.Text, required: false, MaxBodyLength, errors);
                if (item.From is { } from && !LooksLikeAddress(from)) errors.Add("$.from", "must be an email address, optionally as \"Name <address>\"");
                break;
            case Channel.Sms:
                Template("$.text", item.Text, required: true, MaxSmsLength, errors);
                break;
            case Channel.Push:
                Template("$.title", item.Title, required: true, 200, errors);
                Template("$.body", item.Body, required: true, 4000, errors);
                if (item.Url is { } url && !Uri.TryCreate(url, UriKind.Absolute, out _)) errors.Add("$.url", "must be an absolute url");
                break;
        }
        return errors.ToImmutable();
    }

    /// <summary>Checks that a text parses as a Liquid template; used for step titles and webhook bodies too.</summary>
    /// <returns>Null, or what is wrong and where: <c>is not a valid Liquid template: … at line 3, column 10</c>.</returns>
    public static string? TemplateError(string text) => TryParse(text, out _, out var error) ? null : error;

    /// <summary>The widest range a template may loop over: Fluid builds a range's whole array before the loop.</summary>
    public const int MaxRange = 10_000;

    /// <summary>
    /// A range <c>(a..b)</c> must have number bounds at most <see cref="MaxRange"/> apart. Fluid makes an array of
    /// the whole range first, so a range bounded by contact data or a huge number would cost a silo its memory.
    /// </summary>
    private static string? RangeError(string text)
    {
        // Only inside tags and outputs: "(more...)" in the html is prose.
        foreach (System.Text.RegularExpressions.Match tag in LiquidTag().Matches(text))
        {
            foreach (System.Text.RegularExpressions.Match range in LiquidRange().Matches(tag.Value))
            {
                var (from, to) = (range.Groups[1].Value, range.Groups[2].Value);
                var line = text[..tag.Index].Count(c => c == '\n') + 1;
                if (!long.TryParse(from, out var a) || !long.TryParse(to, out var b))
                    return $"is not a valid Liquid template: a range's bounds must be numbers, not '{from}' and '{to}', at line {line}";
                if (Math.Abs(b - a) >= MaxRange)
                    return $"is not a valid Liquid template: a range may span at most {MaxRange} numbers, at line {line}";
            }
        }
        return null;
    }

    [GeneratedRegex(@"\{%.*?%\}|\{\{.*?\}\}", RegexOptions.Singleline)]
    private static partial Regex LiquidTag();

    [GeneratedRegex(@"\(\s*([^()]+?)\s*\.\.\s*([^()]+?)\s*\)")]
    private static partial Regex LiquidRange();

    /// <summary>Parses a Liquid template as the validator does, so that what was accepted at save renders alike.</summary>
    internal static bool TryParse(string text, [NotNullWhen(true)] out IFluidTemplate? template, [NotNullWhen(false)] out string? error)
    {
        if (Parser.TryParse(text, out var parsed, out var parseError))
        {
            if (RangeError(text) is { } rangeError)
            {
                template = null;
                error = rangeError;
                return false;
            }
            template = parsed;
            error = null;
            return true;
        }
        template = null;
        // Fluid says where as "(line:column)" and then quotes the source line; the position is what a person needs.
        var first = (parseError ?? "syntax error").Split('\n')[0].TrimEnd('\r');
        error = "is not a valid Liquid template: " + FluidPosition().Replace(first, m => $"line {m.Groups[1].Value}, column {m.Groups[2].Value}", 1);
        return false;
    }

    private static void Template(string path, string? text, bool required, int maxLength, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            if (required) errors.Add(path, "is required");
            return;
        }
        if (text.Length > maxLength) errors.Add(path, $"must be at most {maxLength} characters");
        else if (TemplateError(text) is { } error) errors.Add(path, error);
    }

    [GeneratedRegex(@"\((\d+):(\d+)\)")]
    private static partial Regex FluidPosition();

    private static bool LooksLikeAddress(string from)
    {
        var address = from.Contains('<') ? from[(from.IndexOf('<') + 1)..].TrimEnd('>', ' ') : from;
        var at = address.IndexOf('@');
        return at > 0 && at < address.Length - 1 && !address.Contains(' ');
    }
}
