using Orleans.Storage;

namespace Orleans.Flows.Hosting;

/// <summary>
/// Wraps the ADO.NET grain storage so that each grain has its own row. That provider reads a string key that
/// looks like a hexadecimal number or a GUID as that number or GUID, so contacts <c>20235</c> and
/// <c>020235</c> (or <c>cafe</c> and <c>0cafe</c>) would share one row. Every key reaches it with a prefix
/// that no number or GUID has.
/// </summary>
public sealed class UnambiguousKeyGrainStorage(IGrainStorage inner) : IGrainStorage
{
    private const string Prefix = "k/";

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, Rekey(grainId), grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.WriteStateAsync(stateName, Rekey(grainId), grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, Rekey(grainId), grainState);

    public static GrainId Rekey(GrainId grainId) => GrainId.Create(grainId.Type, IdSpan.Create(Prefix + grainId.Key));
}
