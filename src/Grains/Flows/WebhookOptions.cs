using Microsoft.Extensions.Configuration;

namespace Orleans.Flows.Flows;

/// <summary><c>Webhooks:AllowedHosts</c>: the hosts a webhook step may call.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Host names a <c>webhook</c> step may call. Null (not configured) allows any host in development and none elsewhere.</summary>
    public string[]? AllowedHosts { get; set; }

    /// <summary>Set by the host: whether an unconfigured list allows every host.</summary>
    public bool AllowAnyWhenUnset { get; set; }

    /// <summary>
    /// Reads <c>Webhooks:AllowedHosts</c> as a list (<c>Webhooks:AllowedHosts:0</c>, …) or as one
    /// comma-separated value (<c>Webhooks__AllowedHosts=crm.example.com,hooks.example.com</c>).
    /// </summary>
    public static string[]? ReadAllowedHosts(IConfigurationSection webhooks)
    {
        var section = webhooks.GetSection(nameof(AllowedHosts));
        if (section.Value is { } value)
            return value.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var children = section.GetChildren().Select(c => c.Value).OfType<string>().Where(v => v.Length > 0).ToArray();
        return section.Exists() ? children : null;
    }

    /// <summary>The set a definition is checked against; null means any host.</summary>
    public IReadOnlySet<string>? AllowedHostSet =>
        AllowedHosts is null && AllowAnyWhenUnset ? null : (AllowedHosts ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase);
}
