namespace Orleans.Flows;

/// <summary>Names of the grain storage providers the engine uses.</summary>
public static class StorageNames
{
    /// <summary>Contacts, flows, content, segments, jobs and the engine's other grains.</summary>
    public const string Flows = "flows";

    /// <summary>Participants, on their own so that the benchmark can put them on another provider (<c>Storage:Participants</c>).</summary>
    public const string Participants = "flows-participants";
}
