using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Orleans.Flows.Delivery;

public static class MessageComposerServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="TrackingOptions"/> from <c>Tracking:*</c>, and <see cref="TrackingTokens"/> and <see cref="MessageComposer"/>
    /// as singletons. The host supplies a signing key and base url where configuration has none (development):
    /// resolving either service without them throws.
    /// </summary>
    public static IServiceCollection AddMessageComposer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TrackingOptions>().Bind(configuration.GetSection(TrackingOptions.Section));
        services.TryAddSingleton<TrackingTokens>();
        services.TryAddSingleton<MessageComposer>();
        return services;
    }
}
