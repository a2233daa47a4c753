namespace Orleans.Flows.Tests.Telemetry;

/// <summary>One exported span: the instrumentation scope that made it, its trace id (hex) and its name.</summary>
internal sealed record OtlpSpan(string Scope, string TraceId, string Name);

/// <summary>
/// Reads the spans out of an OTLP <c>ExportTraceServiceRequest</c> in protobuf: only the fields a test needs
/// (resource_spans → scope_spans → scope.name, spans → trace_id, name), skipping everything else by wire type.
/// </summary>
internal static class OtlpSpans
{
    public static IEnumerable<OtlpSpan> Read(byte[] request)
    {
        foreach (var resourceSpans in Fields(request, 1))
        foreach (var scopeSpans in Fields(resourceSpans, 2))
        {
            var scope = Fields(scopeSpans, 1).Select(s => Text(Fields(s, 1).FirstOrDefault())).FirstOrDefault() ?? "";
            foreach (var span in Fields(scopeSpans, 2))
            {
                var traceId = Convert.ToHexStringLower(Fields(span, 1).FirstOrDefault() ?? []);
                yield return new OtlpSpan(scope, traceId, Text(Fields(span, 5).FirstOrDefault()));
            }
        }
    }

    private static string Text(byte[]? bytes) => bytes is null ? "" : System.Text.Encoding.UTF8.GetString(bytes);

    /// <summary>The length-delimited fields numbered <paramref name="number"/> of a message.</summary>
    private static List<byte[]> Fields(byte[] message, int number)
    {
        var found = new List<byte[]>();
        var at = 0;
        while (at < message.Length)
        {
            var key = Varint(message, ref at);
            var (field, wireType) = ((int)(key >> 3), (int)(key & 7));
            switch (wireType)
            {
                case 0:
                    Varint(message, ref at);
                    break;
                case 1:
                    at += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref at);
                    if (field == number) found.Add(message[at..(at + length)]);
                    at += length;
                    break;
                case 5:
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"wire type {wireType} at byte {at}: not an OTLP message");
            }
        }
        return found;
    }

    private static ulong Varint(byte[] bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }
}
