using Microsoft.Extensions.Options;
using Orleans.Flows.Delivery;

namespace Orleans.Flows.Tests.Delivery;

public sealed class TrackingTokensTests
{
    public const string Key = "test-signing-key-0123456789abcdef";

    private static readonly TrackingClaim Open = new(TrackingKind.Open, "msg-1", "contact-1", "flow-1", "welcome");
    private static readonly TrackingClaim Click = Open with { Kind = TrackingKind.Click, Url = "https://example.com/offer?a=1&b=é" };

    private readonly TrackingTokens _tokens = Tokens(Key);

    public static TrackingTokens Tokens(string? key, string? baseUrl = "https://flows.example.com/") =>
        new(Options.Create(new TrackingOptions { BaseUrl = baseUrl, SigningKey = key }));

    [Theory]
    [InlineData(TrackingKind.Open, null)]
    [InlineData(TrackingKind.Click, "https://example.com/a?b=c#d")]
    [InlineData(TrackingKind.Unsubscribe, null)]
    public void SignedClaimReadsBack(TrackingKind kind, string? url)
    {
        var claim = Open with { Kind = kind, Url = url };
        Assert.True(_tokens.TryRead(_tokens.Sign(claim), out var read));
        Assert.Equal(claim, read);
    }

    [Fact]
    public void TokenIsUrlSafeAndCompact()
    {
        var token = _tokens.Sign(Open);
        Assert.Matches("^[A-Za-z0-9_-]+$", token);
        Assert.True(token.Length < 80, $"an open token of short ids should be short, was {token.Length}: {token}");
    }

    [Fact]
    public void SigningIsDeterministic()
    {
        Assert.Equal(_tokens.Sign(Click), Tokens(Key).Sign(Click));
    }

    [Fact]
    public void UrlsHaveTheirRoutesUnderTheBaseWithoutADoubleSlash()
    {
        Assert.StartsWith("https://flows.example.com/t/o/", _tokens.OpenUrl(Open), StringComparison.Ordinal);
        Assert.StartsWith("https://flows.example.com/t/c/", _tokens.ClickUrl(Click), StringComparison.Ordinal);
        Assert.StartsWith("https://flows.example.com/u/", _tokens.UnsubscribeUrl(Open with { Kind = TrackingKind.Unsubscribe }), StringComparison.Ordinal);
        var token = _tokens.ClickUrl(Click)["https://flows.example.com/t/c/".Length..];
        Assert.True(_tokens.TryRead(token, TrackingKind.Click, out var read));
        Assert.Equal(Click.Url, read.Url);
    }

    [Fact]
    public void UrlOfAnotherKindIsRefused()
    {
        Assert.Throws<ArgumentException>(() => _tokens.UnsubscribeUrl(Open));
        Assert.Throws<ArgumentException>(() => _tokens.Sign(Open with { Kind = TrackingKind.Click }));
        Assert.Throws<ArgumentException>(() => _tokens.Sign(Open with { Url = "https://example.com" }));
    }

    [Fact]
    public void TokenOfAnotherKindIsRefusedWhereAKindIsExpected()
    {
        Assert.False(_tokens.TryRead(_tokens.Sign(Open), TrackingKind.Unsubscribe, out var claim));
        Assert.Null(claim);
    }

    [Fact]
    public void EveryAlteredCharacterIsRefused()
    {
        var token = _tokens.Sign(Click);
        for (var i = 0; i < token.Length; i++)
        {
            var altered = token[..i] + (token[i] == 'A' ? 'B' : 'A') + token[(i + 1)..];
            Assert.False(_tokens.TryRead(altered, out _), $"altering character {i} went unnoticed");
        }
    }

    [Fact]
    public void EveryTruncationIsRefused()
    {
        var token = _tokens.Sign(Open);
        for (var length = 0; length < token.Length; length++)
            Assert.False(_tokens.TryRead(token[..length], out _), $"the first {length} characters were read");
        Assert.False(_tokens.TryRead(token + "A", out _));
        Assert.False(_tokens.TryRead(token + "AA", out _));
    }

    [Fact]
    public void TokenSignedWithAnotherKeyIsRefused()
    {
        var other = Tokens("another-key-that-is-long-enough");
        Assert.False(_tokens.TryRead(other.Sign(Open), out _));
    }

    [Fact]
    public void ForgedClaimWithoutTheKeyIsRefused()
    {
        // The real token's claim with another contact id and the real MAC: what a forger could try without the key.
        var real = Convert.FromBase64String(ToBase64(_tokens.Sign(Open)));
        var forged = Convert.FromBase64String(ToBase64(_tokens.Sign(Open with { ContactId = "contact-2" })));
        real.AsSpan(real.Length - 16).CopyTo(forged.AsSpan(forged.Length - 16));
        Assert.False(_tokens.TryRead(Convert.ToBase64String(forged).TrimEnd('=').Replace('+', '-').Replace('/', '_'), out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a token")]
    [InlineData("AAAA")]
    [InlineData("A")]
    [InlineData("====")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("../../etc/passwd")]
    [InlineData("aGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8=")]
    public void MalformedTokenIsRefusedWithoutThrowing(string? token)
    {
        Assert.False(_tokens.TryRead(token, out var claim));
        Assert.Null(claim);
    }

    [Fact]
    public void HugeTokenIsRefusedWithoutThrowing()
    {
        Assert.False(_tokens.TryRead(new string('A', 1_000_000), out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("too-short-key")]
    public void MissingOrShortKeyIsAClearError(string? key)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Tokens(key));
        Assert.Contains("Tracking:SigningKey", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("flows.example.com")]
    [InlineData("ftp://flows.example.com")]
    public void BaseUrlMustBeAnAbsoluteHttpAddress(string? baseUrl)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Tokens(Key, baseUrl));
        Assert.Contains("Tracking:BaseUrl", error.Message, StringComparison.Ordinal);
    }

    private static string ToBase64(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
    }
}
