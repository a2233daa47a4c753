namespace Orleans.Flows.Silo;

/// <summary><c>Orleans:SiloPort</c> and <c>Orleans:GatewayPort</c>: a silo's ports, so that several run on one host.</summary>
public sealed class FlowsSiloOptions
{
    public const string Section = "Orleans";

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port clients (the API in client mode) connect to. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;
}
