using Orleans.Flows.Silo;

namespace Orleans.Flows.Api.Hosting;

public static class OrleansHosting
{
    /// <summary>
    /// <c>Api:Mode</c>: <c>cohost</c> (default) runs a silo in this process; <c>client</c> joins a cluster of
    /// silos as an Orleans client.
    /// </summary>
    public static WebApplicationBuilder AddFlowsOrleans(this WebApplicationBuilder builder, bool developmentMode)
    {
        var mode = builder.Configuration["Api:Mode"] ?? "cohost";
        switch (mode)
        {
            case "cohost":
                builder.UseOrleans(silo => silo.ConfigureFlowsSilo(builder.Configuration));
                break;
            case "client":
                if (!developmentMode)
                    throw new InvalidOperationException("Api:Mode=client with ConnectionStrings:Flows needs durable mode, which is not built yet.");
                var ports = builder.Configuration.GetSection(FlowsSiloOptions.Section).Get<FlowsSiloOptions>() ?? new FlowsSiloOptions();
                builder.UseOrleansClient(client => client.UseLocalhostClustering(ports.GatewayPort));
                break;
            default:
                throw new InvalidOperationException($"Api:Mode must be 'cohost' or 'client', not '{mode}'.");
        }
        return builder;
    }
}
