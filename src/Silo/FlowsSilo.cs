using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Flows.Delivery;
using Orleans.Flows.Segments;
using Orleans.Flows.Statistics;
using Orleans.Storage;
using Orleans.Flows.Hosting;
using Orleans.Flows.Participants;
using Orleans.Flows.Scheduling;
using Orleans.Flows.Silo.Storage;

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
        var options = configuration.GetSection(FlowsSiloOptions.Section).Get<FlowsSiloOptions>() ?? new FlowsSiloOptions();
        if (FlowsDashboardOptions.IsEnabled(configuration))
            silo.AddDashboard();
        // Grain calls continue the caller's trace (traceparent in the message headers): see FlowsTelemetry.
        silo.AddActivityPropagation();
        if (IsDevelopmentMode(configuration))
            return silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort).AddFlowsInMemory(configuration);
        return silo.AddFlowsDurable(configuration, options);
    }

    /// <summary>Durable mode: the cluster's identity and this silo's endpoints, then <see cref="AddFlowsOnPostgreSql"/>.</summary>
    private static ISiloBuilder AddFlowsDurable(this ISiloBuilder silo, IConfiguration configuration, FlowsSiloOptions options)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        silo.ConfigureEndpoints(IPAddress.Parse(options.AdvertisedIP), options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
        return silo.AddFlowsOnPostgreSql(configuration.GetConnectionString(ConnectionStringName)!, configuration);
    }

    /// <summary>
    /// Grain state (group commit), wake-ups (the due table and its shards), reminders and cluster membership in
    /// PostgreSQL, on this project's own schema (apply it first with <c>migrate</c>), and the engine's services.
    /// <c>Storage:Participants=adoNet</c> and <c>WakeUps:Scheduler=reminders</c> select the plain Orleans ADO.NET
    /// storage and one reminder per waiting participant instead, for comparison.
    /// </summary>
    public static ISiloBuilder AddFlowsOnPostgreSql(this ISiloBuilder silo, string connectionString, IConfiguration configuration)
    {
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgreSqlInvariant;
            o.ConnectionString = connectionString;
        });
        silo.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        silo.Services.AddSingleton<GroupCommitGrainStorage>(sp =>
            new GroupCommitGrainStorage(sp.GetRequiredService<NpgsqlDataSource>(), new FlowStateSerializer()));
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Flows, (sp, _) => sp.GetRequiredService<GroupCommitGrainStorage>());
        var storage = configuration.GetSection(FlowsStorageOptions.Section).Get<FlowsStorageOptions>() ?? new FlowsStorageOptions();
        if (storage.UsesAdoNetForParticipants)
        {
            // The plain Orleans provider, one round trip per write: kept to compare with (load-tests/).
            silo.AddAdoNetGrainStorage(AdoNetStorageName, o =>
            {
                o.Invariant = PostgreSqlInvariant;
                o.ConnectionString = connectionString;
                o.GrainStorageSerializer = new FlowStateSerializer();
            });
            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Participants, (sp, _) =>
                new UnambiguousKeyGrainStorage(sp.GetRequiredKeyedService<IGrainStorage>(AdoNetStorageName)));
        }
        else
        {
            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Participants, (sp, _) => sp.GetRequiredService<GroupCommitGrainStorage>());
        }
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = PostgreSqlInvariant;
            o.ConnectionString = connectionString;
        });
        silo.Services.AddSingleton<IOutbox, PostgresOutbox>();
        var wakeUps = configuration.GetSection(WakeUpOptions.Section).Get<WakeUpOptions>() ?? new WakeUpOptions();
        if (wakeUps.UsesShards)
        {
            silo.Services.AddSingleton<IDueWakeUps, PostgresDueWakeUps>();
            silo.Services.AddSingleton<IWakeUpScheduler, ShardedWakeUpScheduler>();
            silo.Services.AddHostedService<WakeUpShardKeeper>();
            if (!storage.UsesAdoNetForParticipants)
            {
                // Enrollment jobs write new participants as rows, with their wake-ups, a page at a time.
                silo.Services.AddSingleton<IParticipantBulkStore, PostgresParticipantBulkStore>();
                silo.Services.AddSingleton<BulkEnrollment>();
            }
        }
        silo.Services.AddSingleton<IContactDirectory, PostgresContactDirectory>();
        silo.Services.AddSingleton<IFlowReadModelStore, PostgresReadModelStore>();
        silo.Services.AddFlowsEngine(configuration, developmentMode: false);
        return silo;
    }

    private const string AdoNetStorageName = StorageNames.Flows + "-adonet";

    /// <summary>The ADO.NET invariant name of Npgsql, by which the Orleans providers load it.</summary>
    public const string PostgreSqlInvariant = "Npgsql";

    /// <summary>Grain state and reminders in memory, and the engine's services: development mode and test clusters.</summary>
    public static ISiloBuilder AddFlowsInMemory(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.AddMemoryGrainStorage(StorageNames.Flows, o => o.GrainStorageSerializer = new FlowStateSerializer())
            .AddMemoryGrainStorage(StorageNames.Participants, o => o.GrainStorageSerializer = new FlowStateSerializer())
            .UseInMemoryReminderService();
        silo.Services.AddFlowsEngine(configuration, developmentMode: true);
        return silo;
    }
}
