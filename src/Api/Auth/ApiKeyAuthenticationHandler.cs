using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Orleans.Flows.Api.Http;

namespace Orleans.Flows.Api.Auth;

/// <summary>
/// Authenticates the <c>X-Api-Key</c> header against the configured keys. Keys are compared as SHA-256 hashes
/// in constant time, so neither their length nor their content leaks through timing.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyRing keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    /// <summary>
    /// Which configured key authenticated the request (<c>key-0</c>, <c>key-1</c>, … in configuration order): what the rate
    /// limiter partitions by, never the presented string, so unknown keys cannot create partitions.
    /// </summary>
    public const string KeyIdClaim = "flows:keyId";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values) || values.Count != 1 || string.IsNullOrEmpty(values[0]))
            return Task.FromResult(AuthenticateResult.NoResult());
        var match = keys.Find(values[0]!);
        if (match is null) return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        var (role, index) = match.Value;
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Role, role), new Claim(ClaimTypes.Name, role), new Claim(KeyIdClaim, $"key-{index}")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Unauthorized", $"Send a valid API key in the {HeaderName} header.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Forbidden", "This API key's role may not make this call.");
}

/// <summary>The configured keys, hashed once at start.</summary>
public sealed class ApiKeyRing
{
    private readonly (byte[] Hash, string Role)[] _keys;

    public ApiKeyRing(IEnumerable<ApiKeyEntry> keys) =>
        _keys = [.. keys.Where(k => !string.IsNullOrEmpty(k.Key)).Select(k => (Hash(k.Key), k.Role))];

    public int Count => _keys.Length;

    /// <summary>The role and position of the configured key that matches <paramref name="presented"/>; null when none does.</summary>
    public (string Role, int Index)? Find(string presented)
    {
        var hash = Hash(presented);
        (string, int)? found = null;
        // Look at every key, so the time taken does not say which one matched.
        for (var i = 0; i < _keys.Length; i++)
            if (CryptographicOperations.FixedTimeEquals(hash, _keys[i].Hash)) found ??= (_keys[i].Role, i);
        return found;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
