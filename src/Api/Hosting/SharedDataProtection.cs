using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Npgsql;

namespace Orleans.Flows.Api.Hosting;

public static class SharedDataProtection
{
    /// <summary>What every API process of the service calls itself to data protection (by default each uses its own content path).</summary>
    public const string ApplicationName = "orleans-flows";

    /// <summary>
    /// Durable mode: one data-protection key ring for every API process, in PostgreSQL (<see cref="PostgresXmlRepository"/>),
    /// so that what one process seals (the dashboard's session cookie, the sign-in form's antiforgery token) the
    /// others open. Development mode keeps ASP.NET Core's per-machine default.
    /// </summary>
    public static IServiceCollection AddSharedDataProtection(this IServiceCollection services, string connectionString)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddOptions<KeyManagementOptions>().Configure(o => o.XmlRepository = new PostgresXmlRepository(NpgsqlDataSource.Create(connectionString)));
        return services;
    }
}
