using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Orleans.Flows.Telemetry;

/// <summary>
/// Masks what identifies a person in a text that is about to be logged: email addresses, phone numbers and long
/// opaque tokens (push tokens, keys). For texts the engine does not write itself: an SMTP server's reply
/// (<c>550 5.1.1 &lt;bob@example.com&gt;: Recipient address rejected</c>), a gateway's error, an exception's message.
/// The message log keeps the full error; only the log line is masked.
/// </summary>
public static partial class SensitiveText
{
    public const string Email = "[email]";
    public const string Phone = "[phone]";
    public const string Token = "[token]";

    // Fewer digits than this are a status, a version or a count (550, 5.1.1, 2025), not a phone number.
    private const int PhoneDigits = 7;

    [return: NotNullIfNotNull(nameof(text))]
    public static string? Mask(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        text = EmailAddress().Replace(text, Email);
        text = Tokens().Replace(text, m => m.Value.Any(char.IsAsciiDigit) && m.Value.Any(char.IsAsciiLetter) ? Token : m.Value);
        return PhoneNumber().Replace(text, m => m.Value.Count(char.IsAsciiDigit) >= PhoneDigits && !IPv4Address().IsMatch(m.Value) ? Phone : m.Value);
    }

    // Local part and domain as servers quote them, with or without <>, also in an encoded "mailto:".
    [GeneratedRegex(@"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*", RegexOptions.CultureInvariant)]
    private static partial Regex EmailAddress();

    // A run of digits with the separators phone numbers are written with: +47 123 45 678, (555) 123-4567.
    [GeneratedRegex(@"\+?\(?\d[\d\s().\-/]*\d", RegexOptions.CultureInvariant)]
    private static partial Regex PhoneNumber();

    // A server's address in a connection error is not a person's.
    [GeneratedRegex(@"^\d{1,3}(\.\d{1,3}){3}$", RegexOptions.CultureInvariant)]
    private static partial Regex IPv4Address();

    // Push tokens and keys: 32 or more characters of one word, letters and digits mixed.
    [GeneratedRegex(@"\b[A-Za-z0-9_\-:]{32,}\b", RegexOptions.CultureInvariant)]
    private static partial Regex Tokens();
}
