using Microsoft.Extensions.Configuration;
using Orleans.Flows.Hosting;

namespace Orleans.Flows.Silo;

/// <summary>The one place that decides how a silo stores state, keeps reminders and finds its cluster.</summary>
public static class FlowsSilo
{
    public const string ConnectionStringName = "Flows";

    /// <summary>True when no database is configured: state and reminders live in memory and die with the process.</summary>
    public static bool IsDevelopmentMode(IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionStringName));

    public static ISiloBuilder ConfigureFlowsSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        if (!IsDevelopmentMode(configuration))
            throw new InvalidOperationException(
                "ConnectionStrings:Flows is set, but durable mode on PostgreSQL is not built yet. Remove it to run in development mode.");

        var ports = configuration.GetSection(FlowsSiloOptions.Section).Get<FlowsSiloOptions>() ?? new FlowsSiloOptions();
        return silo.UseLocalhostClustering(ports.SiloPort, ports.GatewayPort).AddFlowsInMemory(configuration);
    }

    /// <summary>Grain state and reminders in memory, and the engine's services: development mode and test clusters.</summary>
    public static ISiloBuilder AddFlowsInMemory(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.AddMemoryGrainStorage(StorageNames.Flows, o => o.GrainStorageSerializer = new FlowStateSerializer())
            .UseInMemoryReminderService();
        silo.Services.AddFlowsEngine(configuration, developmentMode: true);
        return silo;
    }
}
