using Orleans.Configuration;
using Orleans.Dashboard;
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
                var options = builder.Configuration.GetSection(FlowsSiloOptions.Section).Get<FlowsSiloOptions>() ?? new FlowsSiloOptions();
                builder.UseOrleansClient(client =>
                {
                    if (FlowsDashboardOptions.IsEnabled(builder.Configuration))
                        client.AddDashboard();
                    // Grain calls continue the request's trace on the silos.
                    client.AddActivityPropagation();
                    if (developmentMode)
                    {
                        client.UseLocalhostClustering(options.GatewayPort);
                        return;
                    }
                    // Durable mode: the silos' gateways are found in the membership table.
                    client.Configure<ClusterOptions>(o =>
                    {
                        o.ClusterId = options.ClusterId;
                        o.ServiceId = options.ServiceId;
                    });
                    client.UseAdoNetClustering(o =>
                    {
                        o.Invariant = FlowsSilo.PostgreSqlInvariant;
                        o.ConnectionString = builder.Configuration.GetConnectionString(FlowsSilo.ConnectionStringName);
                    });
                });
                break;
            default:
                throw new InvalidOperationException($"Api:Mode must be 'cohost' or 'client', not '{mode}'.");
        }
        return builder;
    }
}
