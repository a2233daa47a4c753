using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Flows.Delivery;

/// <summary>
/// <c>Tracking:*</c> for a host: in development a key made at start and the host's own address stand in for
/// missing settings; elsewhere both are required, and the host refuses to start without them.
/// </summary>
public static class TrackingSetup
{
    /// <summary>One key per process, so that a cohosted silo and API sign and read alike.</summary>
    private static readonly string DevelopmentKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static IServiceCollection AddTracking(this IServiceCollection services, IConfiguration configuration, bool developmentMode)
    {
        services.AddMessageComposer(configuration);
        services.PostConfigure<TrackingOptions>(o =>
        {
            if (!developmentMode) return;
            if (string.IsNullOrWhiteSpace(o.SigningKey)) o.SigningKey = DevelopmentKey;
            if (string.IsNullOrWhiteSpace(o.BaseUrl)) o.BaseUrl = OwnAddress(configuration);
        });
        services.AddOptions<TrackingOptions>()
            .Validate(o => !string.IsNullOrWhiteSpace(o.SigningKey),
                "Tracking:SigningKey is required outside development mode: the HMAC key (at least 16 bytes, the same on every silo and API) of tracking and unsubscribe links.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.BaseUrl),
                "Tracking:BaseUrl is required outside development mode: the public address (e.g. https://flows.example.com) where tracking and unsubscribe links reach the API.")
            .ValidateOnStart();
        return services;
    }

    /// <summary>The first address the host listens on (<c>urls</c>), with a wildcard host made <c>localhost</c>.</summary>
    public static string OwnAddress(IConfiguration configuration)
    {
        var urls = configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? configuration["HTTP_PORTS"]?.Split(';')[0].Insert(0, "http://localhost:");
        var first = urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (first is null) return "http://localhost:5000";
        foreach (var wildcard in new[] { "://*", "://+", "://0.0.0.0", "://[::]" })
            first = first.Replace(wildcard, "://localhost", StringComparison.Ordinal);
        return first.TrimEnd('/');
    }
}
