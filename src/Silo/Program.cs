using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Flows.Silo;

var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo.ConfigureFlowsSilo(builder.Configuration));
using var host = builder.Build();
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orleans.Flows.Silo");
if (FlowsSilo.IsDevelopmentMode(builder.Configuration))
    logger.LogWarning("Development mode: grain state and reminders are kept in memory and lost when this process exits");
await host.RunAsync();
