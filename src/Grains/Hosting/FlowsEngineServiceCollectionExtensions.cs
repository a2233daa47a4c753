using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Flows.Delivery;
using Orleans.Flows.Flows;
using Orleans.Flows.Participants;
using Orleans.Flows.Scheduling;
using Orleans.Flows.Segments;
using Orleans.Flows.Statistics;
using Orleans.Flows.Telemetry;

namespace Orleans.Flows.Hosting;

public static class FlowsEngineServiceCollectionExtensions
{
    /// <summary>The engine's per-silo services: definition cache, wake-ups, outbox, contact directory and read-model buffer.</summary>
    /// <param name="developmentMode">True without a database: unconfigured webhook hosts are then all allowed.</param>
    public static IServiceCollection AddFlowsEngine(this IServiceCollection services, IConfiguration configuration, bool developmentMode)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<FlowDefinitionCache>();
        services.AddSingleton<FlowTriggerIndex>();
        services.AddPlacementDirector<SiloPinnedPlacement, SiloPinnedPlacementDirector>();
        // Durable mode registers the wake-up shards first unless configured otherwise.
        services.TryAddSingleton<IWakeUpScheduler, ReminderWakeUpScheduler>();
        services.AddOptions<WakeUpOptions>().Bind(configuration.GetSection(WakeUpOptions.Section));
        services.AddOptions<EnrollmentJobOptions>().Bind(configuration.GetSection(EnrollmentJobOptions.Section));
        // Durable mode registers its own outbox and contact directory first.
        services.TryAddSingleton<IOutbox, MemoryOutbox>();
        services.AddOptions<DeliveryOptions>().Bind(configuration.GetSection(DeliveryOptions.Section));
        services.AddTracking(configuration, developmentMode);
        services.AddSingleton<OutgoingMessages>();
        services.AddSingleton<RecordingChannel>();
        HttpChannels.Register(services, configuration);
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.Section));
        // Without Smtp:Host emails go to the recording channel: the one-command run needs no mail server.
        if (configuration.GetSection(SmtpOptions.Section).Get<SmtpOptions>() is { IsConfigured: true })
            services.AddSingleton<IDeliveryChannel, SmtpEmailChannel>();
        services.AddHostedService<OutboxDispatcher>();
        // The engine's instruments (meter Orleans.Flows); exported by whatever the host configures (FlowsTelemetry).
        services.AddMetrics();
        services.AddSingleton<FlowsMetrics>();
        services.AddHostedService<OutboxDepthSampler>();
        services.TryAddSingleton<IContactDirectory, GrainContactDirectory>();
        services.AddSingleton<SegmentFilterCache>();
        services.AddSingleton<FlowReadModelBuffer>();
        services.AddHostedService(sp => sp.GetRequiredService<FlowReadModelBuffer>());
        services.AddOptions<WebhookOptions>().Configure(o =>
        {
            o.AllowedHosts = WebhookOptions.ReadAllowedHosts(configuration.GetSection(WebhookOptions.Section));
            o.AllowAnyWhenUnset = developmentMode;
        });
        return services;
    }
}
