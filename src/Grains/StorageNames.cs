namespace Orleans.Flows;

/// <summary>Names of the grain storage providers the engine uses.</summary>
public static class StorageNames
{
    public const string Flows = "flows";
}
