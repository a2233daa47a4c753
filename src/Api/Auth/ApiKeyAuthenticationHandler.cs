using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

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

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values) || values.Count != 1 || string.IsNullOrEmpty(values[0]))
            return Task.FromResult(AuthenticateResult.NoResult());
        var role = keys.FindRole(values[0]!);
        if (role is null) return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, role), new Claim(ClaimTypes.Name, role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized", $"Send a valid API key in the {HeaderName} header.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", "This API key's role may not make this call.");

    private async Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        var problems = Context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}

/// <summary>The configured keys, hashed once at start.</summary>
public sealed class ApiKeyRing
{
    private readonly (byte[] Hash, string Role)[] _keys;

    public ApiKeyRing(IEnumerable<ApiKeyEntry> keys) =>
        _keys = [.. keys.Where(k => !string.IsNullOrEmpty(k.Key)).Select(k => (Hash(k.Key), k.Role))];

    public int Count => _keys.Length;

    public string? FindRole(string presented)
    {
        var hash = Hash(presented);
        string? role = null;
        // Look at every key, so the time taken does not say which one matched.
        foreach (var (keyHash, keyRole) in _keys)
            if (CryptographicOperations.FixedTimeEquals(hash, keyHash)) role ??= keyRole;
        return role;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
