using System.Text.Json;
using Orleans.Flows.Flows;
using Orleans.Storage;

namespace Orleans.Flows.Hosting;

/// <summary>
/// Grain state as System.Text.Json with the API's own JSON rules: readable in a database, small, and able to
/// hold the immutable collections and polymorphic steps the states use.
/// </summary>
public sealed class FlowStateSerializer : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input, FlowJson.Options));

    public T Deserialize<T>(BinaryData input) =>
        JsonSerializer.Deserialize<T>(input.ToMemory().Span, FlowJson.Options) ?? throw new JsonException($"Stored {typeof(T).Name} is null");
}
