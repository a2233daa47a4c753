using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Orleans.Flows.Flows;

/// <summary>Places a grain on the silo its key names (a silo address), so there is one such grain per silo.</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("flows.SiloPinnedPlacement")]
public sealed class SiloPinnedPlacement : PlacementStrategy
{
    public static readonly SiloPinnedPlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloPinnedPlacementAttribute() : PlacementAttribute(SiloPinnedPlacement.Instance);

public sealed class SiloPinnedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString();
        // A silo that has left cannot be reached; the local silo takes the call and it does no harm there.
        var silo = context.GetCompatibleSilos(target).FirstOrDefault(s => s.ToParsableString() == key) ?? context.LocalSilo;
        return Task.FromResult(silo);
    }
}
