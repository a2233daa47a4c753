using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Flows.Silo;
using Orleans.Flows.Silo.Import;
using Orleans.Flows.Silo.Telemetry;

// `import <file>`: stream a file of contacts into a running service (ContactImportCommand); before the host, which
// would read the file's path as a configuration switch.
if (args.Length > 0 && args[0] == "import")
{
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancel.Cancel();
    };
    return await ContactImportCommand.RunAsync(args[1..], Console.Out, Console.Error, cancel.Token);
}

var builder = Host.CreateApplicationBuilder(args);

// `migrate`: apply the project's schema to ConnectionStrings:Flows and exit (0 when the schema is up to date).
if (args.Length > 0 && args[0] == "migrate")
{
    using var loggers = LoggerFactory.Create(l => l.AddSimpleConsole(o => o.SingleLine = true));
    var log = loggers.CreateLogger("Orleans.Flows.Migrate");
    if (FlowsSilo.IsDevelopmentMode(builder.Configuration))
    {
        log.LogError("migrate needs ConnectionStrings:Flows (for example ConnectionStrings__Flows=\"Host=127.0.0.1;Database=flows;Username=flows\")");
        return 2;
    }
    try
    {
        await FlowsSchema.MigrateAsync(builder.Configuration.GetConnectionString(FlowsSilo.ConnectionStringName)!, log);
        return 0;
    }
    catch (Exception ex) when (ex is Npgsql.NpgsqlException or Npgsql.PostgresException)
    {
        log.LogError(ex, "Migration failed; nothing of the failing script was applied");
        return 1;
    }
}

builder.AddFlowsTelemetry("orleans-flows-silo").AddPrometheusListener(builder.Configuration);
builder.UseOrleans(silo => silo.ConfigureFlowsSilo(builder.Configuration));
using var host = builder.Build();
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orleans.Flows.Silo");
if (FlowsSilo.IsDevelopmentMode(builder.Configuration))
    logger.LogWarning("Development mode: grain state and reminders are kept in memory and lost when this process exits");
else
    logger.LogInformation("Durable mode: grain state, reminders and membership in PostgreSQL");
await host.RunAsync();
return 0;

// Internal, so that the tests, which reference this and the API, see one Program: the API's. (A plain comment: the
// API's OpenAPI generator reads the doc comments of referenced projects and would find T:Program twice.)
internal partial class Program;
