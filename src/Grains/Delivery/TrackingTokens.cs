using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using Microsoft.Extensions.Options;

namespace Orleans.Flows.Delivery;

/// <summary>
/// Signs and reads the tokens of open pixels, tracked links and unsubscribe links, and builds their urls. The token
/// is the authority of a tracking request: whoever holds one may record what it claims, and nobody can make one.
/// </summary>
/// <remarks>
/// A token is base64url (no padding) of a short binary claim followed by the first 16 bytes of its HMAC-SHA256
/// under <see cref="TrackingOptions.SigningKey"/>. The claim is a format byte (1), the kind (0 open, 1 click,
/// 2 unsubscribe), then the message, contact, flow and step ids and, for a click only, the url: each UTF-8 after its
/// length in 7-bit groups. An open token of a typical message (its 34-character id, flow and contact ids of 20) is
/// about 140 characters; a click token adds its url.
/// </remarks>
public sealed class TrackingTokens
{
    /// <summary>The shortest signing key accepted, in UTF-8 bytes.</summary>
    public const int MinKeyBytes = 16;

    /// <summary>The longest claim signed, in bytes: room for a 4 096-character url in any script.</summary>
    public const int MaxClaimBytes = 16 * 1024;

    private const byte Format = 1;
    private const int MacBytes = 16;
    private const int MaxTokenChars = (MaxClaimBytes + MacBytes + 2) / 3 * 4;

    private readonly byte[] _key;

    /// <exception cref="InvalidOperationException">The signing key is missing or shorter than 16 bytes, or the base url is not an absolute http(s) address.</exception>
    public TrackingTokens(IOptions<TrackingOptions> options)
    {
        var value = options.Value;
        if (string.IsNullOrEmpty(value.SigningKey) || Encoding.UTF8.GetByteCount(value.SigningKey) < MinKeyBytes)
            throw new InvalidOperationException(
                $"{TrackingOptions.Section}:{nameof(TrackingOptions.SigningKey)} must be at least {MinKeyBytes} bytes (as UTF-8): it signs the tokens of " +
                "tracked links and unsubscribe links. Give every silo the same key, e.g. 32 random bytes in base64.");
        var baseUrl = value.BaseUrl?.Trim().TrimEnd('/');
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            throw new InvalidOperationException(
                $"{TrackingOptions.Section}:{nameof(TrackingOptions.BaseUrl)} must be an absolute http or https address without query, the public base " +
                "of tracked links and unsubscribe pages, e.g. https://flows.example.com");
        _key = Encoding.UTF8.GetBytes(value.SigningKey);
        BaseUrl = baseUrl;
    }

    /// <summary>The public base address, without a trailing slash.</summary>
    public string BaseUrl { get; }

    /// <summary><c>{BaseUrl}/t/o/{token}</c>: the open pixel.</summary>
    public string OpenUrl(TrackingClaim claim) => $"{BaseUrl}/t/o/{Sign(Expect(claim, TrackingKind.Open))}";

    /// <summary><c>{BaseUrl}/t/c/{token}</c>: a tracked link that redirects to <see cref="TrackingClaim.Url"/>.</summary>
    public string ClickUrl(TrackingClaim claim) => $"{BaseUrl}/t/c/{Sign(Expect(claim, TrackingKind.Click))}";

    /// <summary><c>{BaseUrl}/u/{token}</c>: the unsubscribe page, and the one-click <c>List-Unsubscribe</c> target.</summary>
    public string UnsubscribeUrl(TrackingClaim claim) => $"{BaseUrl}/u/{Sign(Expect(claim, TrackingKind.Unsubscribe))}";

    /// <exception cref="ArgumentException">A click without a url, a url on anything but a click, or a claim over <see cref="MaxClaimBytes"/>.</exception>
    public string Sign(TrackingClaim claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        if (!Enum.IsDefined(claim.Kind)) throw new ArgumentException($"unknown tracking kind {(int)claim.Kind}", nameof(claim));
        if ((claim.Kind == TrackingKind.Click) != (claim.Url is not null))
            throw new ArgumentException("a click claim carries a url, and only a click claim does", nameof(claim));

        string[] fields = claim.Url is null
            ? [claim.MessageId, claim.ContactId, claim.FlowId, claim.StepId]
            : [claim.MessageId, claim.ContactId, claim.FlowId, claim.StepId, claim.Url];
        var size = 2;
        foreach (var field in fields)
        {
            ArgumentNullException.ThrowIfNull(field, nameof(claim));
            var length = Encoding.UTF8.GetByteCount(field);
            size += LengthSize(length) + length;
        }
        if (size > MaxClaimBytes) throw new ArgumentException($"the claim takes {size} bytes, more than {MaxClaimBytes}", nameof(claim));

        var token = new byte[size + MacBytes];
        token[0] = Format;
        token[1] = (byte)claim.Kind;
        var at = 2;
        foreach (var field in fields)
        {
            at += WriteLength(token.AsSpan(at), Encoding.UTF8.GetByteCount(field));
            at += Encoding.UTF8.GetBytes(field, token.AsSpan(at));
        }
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, token.AsSpan(0, size), mac);
        mac[..MacBytes].CopyTo(token.AsSpan(size));
        return Base64Url.EncodeToString(token);
    }

    /// <summary>
    /// Reads a token this key signed. False, and nothing read, for anything else: forged, altered, truncated, signed
    /// with another key, or not a token at all. Never throws.
    /// </summary>
    public bool TryRead(string? token, [NotNullWhen(true)] out TrackingClaim? claim)
    {
        claim = null;
        // Base64url without padding never leaves one character over a group of four; the decoder throws on that.
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenChars || token.Length % 4 == 1) return false;
        foreach (var c in token)
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_') return false;

        var bytes = new byte[Base64Url.GetMaxDecodedLength(token.Length)];
        if (!TryDecode(token, bytes, out var length) || length < 2 + MacBytes) return false;
        // One claim has one token: a token whose last character differs only in unused bits is not that token.
        if (!string.Equals(Base64Url.EncodeToString(bytes.AsSpan(0, length)), token, StringComparison.Ordinal)) return false;

        var payload = bytes.AsSpan(0, length - MacBytes);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, payload, mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..MacBytes], bytes.AsSpan(length - MacBytes, MacBytes))) return false;
        return TryParse(payload, out claim);
    }

    /// <summary>Reads a token as <see cref="TryRead(string?, out TrackingClaim?)"/> does, and only if it is of <paramref name="kind"/>: an open pixel's token does not unsubscribe.</summary>
    public bool TryRead(string? token, TrackingKind kind, [NotNullWhen(true)] out TrackingClaim? claim)
    {
        if (TryRead(token, out claim) && claim.Kind == kind) return true;
        claim = null;
        return false;
    }

    private static bool TryDecode(string token, byte[] bytes, out int length)
    {
        try
        {
            return Base64Url.TryDecodeFromChars(token, bytes, out length);
        }
        catch (FormatException)
        {
            // Filtered out above; kept so that no input can make TryRead throw.
            length = 0;
            return false;
        }
    }

    private static TrackingClaim Expect(TrackingClaim claim, TrackingKind kind)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return claim.Kind == kind ? claim : throw new ArgumentException($"a {kind} url needs a {kind} claim, not {claim.Kind}", nameof(claim));
    }

    private static bool TryParse(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out TrackingClaim? claim)
    {
        claim = null;
        if (payload[0] != Format || payload[1] > (byte)TrackingKind.Unsubscribe) return false;
        var kind = (TrackingKind)payload[1];
        var fields = new string[kind == TrackingKind.Click ? 5 : 4];
        var rest = payload[2..];
        for (var i = 0; i < fields.Length; i++)
        {
            if (!TryReadField(ref rest, out var field)) return false;
            fields[i] = field;
        }
        if (!rest.IsEmpty) return false;
        claim = new TrackingClaim(kind, fields[0], fields[1], fields[2], fields[3], kind == TrackingKind.Click ? fields[4] : null);
        return true;
    }

    private static bool TryReadField(ref ReadOnlySpan<byte> rest, [NotNullWhen(true)] out string? value)
    {
        value = null;
        int length = 0, read = 0;
        while (true)
        {
            if (read == rest.Length || read == 3) return false;
            var b = rest[read];
            length |= (b & 0x7F) << (7 * read);
            read++;
            if ((b & 0x80) == 0) break;
        }
        if (length > rest.Length - read) return false;
        var bytes = rest.Slice(read, length);
        if (!Utf8.IsValid(bytes)) return false;
        value = Encoding.UTF8.GetString(bytes);
        rest = rest[(read + length)..];
        return true;
    }

    private static int LengthSize(int length) => length < 0x80 ? 1 : length < 0x4000 ? 2 : 3;

    private static int WriteLength(Span<byte> destination, int length)
    {
        var written = 0;
        while (length >= 0x80)
        {
            destination[written++] = (byte)(length | 0x80);
            length >>= 7;
        }
        destination[written++] = (byte)length;
        return written;
    }
}
