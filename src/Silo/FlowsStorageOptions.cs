namespace Orleans.Flows.Silo;

/// <summary><c>Storage:*</c>: where durable mode keeps grain state.</summary>
public sealed class FlowsStorageOptions
{
    public const string Section = "Storage";

    /// <summary>
    /// <c>groupCommit</c> (default): participants in <c>flows_grain_state</c> like every other grain, writes of
    /// concurrent participants coalesced. <c>adoNet</c>: the plain Orleans ADO.NET provider, one round trip per write.
    /// </summary>
    public string Participants { get; set; } = "groupCommit";

    public bool UsesAdoNetForParticipants => string.Equals(Participants, "adoNet", StringComparison.OrdinalIgnoreCase);
}
