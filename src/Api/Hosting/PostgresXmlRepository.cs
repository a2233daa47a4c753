using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Orleans.Flows.Api.Hosting;

/// <summary>
/// Durable mode: ASP.NET Core's data-protection key ring in <c>flows_data_protection_keys</c> (schema 0007), so every
/// API process of the service reads the same keys: a dashboard cookie or a sign-in form one process issued is
/// accepted by the others, and by this one after a restart.
/// </summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource database) : IXmlRepository
{
    // IXmlRepository is synchronous; it is called when the key ring is loaded or a key is made, not per request.
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var command = database.CreateCommand("select xml from flows_data_protection_keys order by created_at, friendly_name");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var command = database.CreateCommand(
            "insert into flows_data_protection_keys (friendly_name, xml) values ($1, $2) on conflict (friendly_name) do nothing");
        command.Parameters.AddWithValue(friendlyName);
        command.Parameters.AddWithValue(element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }
}
