namespace Orleans.Flows.Flows;

/// <summary><c>Webhooks:AllowedHosts</c>: the hosts a webhook step may call.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Host names a <c>webhook</c> step may call. Null (not configured) allows any host in development and none elsewhere.</summary>
    public string[]? AllowedHosts { get; set; }

    /// <summary>Set by the host: whether an unconfigured list allows every host.</summary>
    public bool AllowAnyWhenUnset { get; set; }

    /// <summary>The set a definition is checked against; null means any host.</summary>
    public IReadOnlySet<string>? AllowedHostSet =>
        AllowedHosts is null && AllowAnyWhenUnset ? null : (AllowedHosts ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase);
}
