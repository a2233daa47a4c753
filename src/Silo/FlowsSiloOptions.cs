namespace Orleans.Flows.Silo;

/// <summary><c>Orleans:SiloPort</c> and <c>Orleans:GatewayPort</c>: a silo's ports, so that several run on one host.</summary>
public sealed class FlowsSiloOptions
{
    public const string Section = "Orleans";

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port clients (the API in client mode) connect to. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Durable mode: the cluster's id; silos and clients with the same id and database form one cluster. Default <c>orleans-flows</c>.</summary>
    public string ClusterId { get; set; } = "orleans-flows";

    /// <summary>Durable mode: the id under which grain state and reminders are stored. Default <c>orleans-flows</c>; never change it for existing data.</summary>
    public string ServiceId { get; set; } = "orleans-flows";

    /// <summary>Durable mode: the address other silos and clients reach this silo on. Default 127.0.0.1 (every process on one host).</summary>
    public string AdvertisedIP { get; set; } = "127.0.0.1";
}
