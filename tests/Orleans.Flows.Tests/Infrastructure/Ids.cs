namespace Orleans.Flows.Tests.Infrastructure;

/// <summary>Fresh keys for every test, so tests that share a cluster never see each other's grains.</summary>
public static class TestIds
{
    public static string New(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 128)];
}
