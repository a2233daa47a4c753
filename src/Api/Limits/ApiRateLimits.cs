using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Orleans.Flows.Api.Auth;
using Orleans.Flows.Api.Http;

namespace Orleans.Flows.Api.Limits;

/// <summary>
/// <c>Api:RateLimit:PerKeyPerSecond</c>: a token bucket per API key, refilled every second, with no queue. Each key
/// has its own bucket, so one key's burst never slows another. Only the <c>/v1</c> endpoints carry the policy:
/// tracking links, health, metrics and the OpenAPI document are not limited per key. A request without a valid key
/// takes no tokens: it is answered 401 by authorization, and flooding a host is for the proxy in front to stop.
/// </summary>
public static class ApiRateLimits
{
    public const string PolicyName = "perApiKey";
    public const string ConfigurationKey = "Api:RateLimit:PerKeyPerSecond";
    public const int DefaultPerKeyPerSecond = 1000;

    /// <summary>Requests a second one key may make; null for no limit (development mode's default, or a configured 0).</summary>
    public static int? PerKeyPerSecond(IConfiguration configuration, bool developmentMode)
    {
        var configured = configuration.GetValue<int?>(ConfigurationKey);
        if (configured is < 0) throw new InvalidOperationException($"{ConfigurationKey} must be 0 (no limit) or more, not {configured}.");
        return configured switch
        {
            0 => null,
            { } perSecond => perSecond,
            null => developmentMode ? null : DefaultPerKeyPerSecond,
        };
    }

    public static IServiceCollection AddApiRateLimits(this IServiceCollection services, int? perKeyPerSecond) =>
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = RejectAsync;
            options.AddPolicy(PolicyName, context =>
            {
                var keyId = context.User.FindFirstValue(ApiKeyAuthenticationHandler.KeyIdClaim);
                if (keyId is null || perKeyPerSecond is not { } perSecond) return RateLimitPartition.GetNoLimiter("");
                return RateLimitPartition.GetTokenBucketLimiter(keyId, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = perSecond,
                    TokensPerPeriod = perSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
        });

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests",
            $"This API key made more than its requests a second; try again in {seconds} s (Retry-After).");
    }
}
