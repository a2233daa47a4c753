using System.Security.Cryptography;
using System.Text;

namespace Orleans.Flows.Interpretation;

/// <summary>
/// Deterministic ids and draws derived from (flow, contact, journey, step, visit): a replayed step produces
/// the same message id and takes the same split branch.
/// </summary>
public static class MessageIds
{
    public static string For(string flowId, string contactId, int journey, string stepId, int visit) =>
        "m-" + Convert.ToHexStringLower(Hash(flowId, contactId, journey, stepId, visit))[..32];

    /// <summary>A number in [0, 100) that is the same every time for the same participant visit.</summary>
    public static int Percentile(string flowId, string contactId, int journey, string stepId, int visit)
    {
        var hash = Hash(flowId, contactId, journey, stepId, visit);
        return (int)(BitConverter.ToUInt32(hash, 0) % 100);
    }

    private static byte[] Hash(string flowId, string contactId, int journey, string stepId, int visit) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"{flowId}\n{contactId}\n{journey}\n{stepId}\n{visit}"));
}
