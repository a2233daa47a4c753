using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Flows.Content;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using Orleans.Flows.Statistics;

namespace Orleans.Flows.Flows;

/// <summary>A flow's definition versions and lifecycle. Participants never call it per step: they read the per-silo cache.</summary>
public sealed partial class FlowGrain(
    [PersistentState("flow", StorageNames.Flows)] IPersistentState<FlowState> state,
    FlowDefinitionCache cache,
    FlowTriggerIndex triggers,
    FlowReadModelBuffer readModels,
    IOptions<WebhookOptions> webhooks,
    TimeProvider time,
    ILogger<FlowGrain> logger) : Grain, IFlowGrain
{
    private string FlowId => this.GetPrimaryKeyString();

    private IFlowCatalogGrain Catalog => GrainFactory.GetGrain<IFlowCatalogGrain>(IFlowCatalogGrain.Key);

    public async Task<FlowCommandResult> CreateAsync(FlowDefinition definition)
    {
        if (state.State.Exists) return FlowCommandResult.Conflict($"Flow '{FlowId}' already exists.");
        if (state.State.Retired) return FlowCommandResult.Conflict($"Flow '{FlowId}' was deleted after it ran; a new flow needs a new id.");
        var errors = await ValidateAsync(definition);
        if (!errors.IsEmpty) return FlowCommandResult.Invalid(errors);
        var now = time.GetUtcNow();
        await SaveAsync(new FlowState { Exists = true, Status = FlowStatus.Draft, Versions = [definition], CreatedAt = now, UpdatedAt = now });
        LogInformationCreated(logger, FlowId, definition.Name);
        return FlowCommandResult.Ok(Snapshot());
    }

    public async Task<FlowCommandResult> UpdateAsync(FlowDefinition definition)
    {
        if (!state.State.Exists) return NotFound();
        if (state.State.Status is not (FlowStatus.Draft or FlowStatus.Paused))
            return FlowCommandResult.Conflict($"Flow '{FlowId}' is {Name(state.State.Status)}; only a draft or paused flow can be edited.");
        var errors = await ValidateAsync(definition);
        if (!errors.IsEmpty) return FlowCommandResult.Invalid(errors);
        await SaveAsync(state.State with { Versions = state.State.Versions.Add(definition), UpdatedAt = time.GetUtcNow() });
        LogInformationUpdated(logger, FlowId, state.State.Versions.Length);
        return FlowCommandResult.Ok(Snapshot());
    }

    public Task<FlowSnapshot?> GetAsync() => Task.FromResult(state.State.Exists ? Snapshot() : null);

    public Task<FlowDefinition?> GetVersionAsync(int version) =>
        Task.FromResult(state.State.Exists && version >= 1 && version <= state.State.Versions.Length ? state.State.Versions[version - 1] : null);

    public async Task<FlowCommandResult> StartAsync()
    {
        if (!state.State.Exists) return NotFound();
        if (state.State.Status is not (FlowStatus.Draft or FlowStatus.Paused)) return Forbidden("start");
        // Content may have been deleted since the flow was saved: a flow starts only when everything it names exists.
        var errors = await ValidateAsync(state.State.Versions[^1]);
        if (!errors.IsEmpty)
            return FlowCommandResult.Conflict($"Flow '{FlowId}' cannot start: " + string.Join("; ", errors.Select(e => $"{e.Key} {string.Join(", ", e.Value)}")));
        var now = time.GetUtcNow();
        var resumed = state.State.Status == FlowStatus.Paused;
        await SaveAsync(state.State with { Status = FlowStatus.Running, StartedAt = state.State.StartedAt ?? now, PausedAt = null, UpdatedAt = now });
        if (resumed)
        {
            // Waits that fell due during the pause move on now rather than at their next retry.
            await readModels.FlushAsync();
            await GrainFactory.GetGrain<IFlowParticipantsGrain>(FlowId).ResumeAllAsync();
        }
        // Segment flows take every member when they start (and when they resume: members added meanwhile).
        if (state.State.Versions[^1].Trigger is SegmentTrigger)
            await GrainFactory.GetGrain<IEnrollmentGrain>(0).EnrollSegmentMembersAsync(FlowId);
        LogInformationLifecycle(logger, FlowId, resumed ? "resumed" : "started");
        return FlowCommandResult.Ok(Snapshot());
    }

    public async Task<FlowCommandResult> PauseAsync()
    {
        if (!state.State.Exists) return NotFound();
        if (state.State.Status != FlowStatus.Running) return Forbidden("pause");
        var now = time.GetUtcNow();
        await SaveAsync(state.State with { Status = FlowStatus.Paused, PausedAt = now, UpdatedAt = now });
        LogInformationLifecycle(logger, FlowId, "paused");
        return FlowCommandResult.Ok(Snapshot());
    }

    public async Task<FlowCommandResult> EndAsync()
    {
        if (!state.State.Exists) return NotFound();
        if (state.State.Status is not (FlowStatus.Running or FlowStatus.Paused)) return Forbidden("end");
        var now = time.GetUtcNow();
        await SaveAsync(state.State with { Status = FlowStatus.Ended, EndedAt = now, PausedAt = null, UpdatedAt = now });
        // Participants still in the journey exit. The list is fed every 250 ms, so this silo's pending rows go
        // first; the list makes a second pass for rows other silos flush later.
        await readModels.FlushAsync();
        await GrainFactory.GetGrain<IFlowParticipantsGrain>(FlowId).EndAllAsync();
        LogInformationLifecycle(logger, FlowId, "ended");
        return FlowCommandResult.Ok(Snapshot());
    }

    public async Task<FlowCommandResult> DeleteAsync()
    {
        if (!state.State.Exists) return NotFound();
        if (state.State.Status is not (FlowStatus.Draft or FlowStatus.Ended))
            return FlowCommandResult.Conflict($"Flow '{FlowId}' is {Name(state.State.Status)}; only a draft or ended flow can be deleted.");
        var snapshot = Snapshot();
        if (state.State.StartedAt is null)
        {
            await state.ClearStateAsync();
            state.State = new FlowState();
        }
        else
        {
            state.State = new FlowState { Retired = true };
            await state.WriteStateAsync();
        }
        await InvalidateCachesAsync();
        await Catalog.RemoveAsync(FlowId);
        LogInformationLifecycle(logger, FlowId, "deleted");
        return FlowCommandResult.Ok(snapshot);
    }

    private async Task<ImmutableSortedDictionary<string, string[]>> ValidateAsync(FlowDefinition definition)
    {
        var (contentIds, flowIds) = FlowValidator.References(definition);
        var content = contentIds.IsEmpty
            ? ImmutableDictionary<string, Channel>.Empty
            : await GrainFactory.GetGrain<IContentCatalogGrain>(IContentCatalogGrain.Key).FindAsync(contentIds);
        var missingFlows = flowIds.IsEmpty ? [] : await Catalog.FindMissingAsync(flowIds);
        var existingFlows = flowIds.Except(missingFlows).ToHashSet(StringComparer.Ordinal);
        return FlowValidator.Validate(definition, new FlowReferences(content, existingFlows, webhooks.Value.AllowedHostSet));
    }

    private async Task SaveAsync(FlowState next)
    {
        state.State = next;
        await state.WriteStateAsync();
        var current = next.Versions[^1];
        // The catalog first: a silo that reloads its trigger index after the invalidation must find the change.
        await Catalog.SetAsync(new FlowCatalogEntry
        {
            Id = FlowId,
            Name = current.Name,
            Status = next.Status,
            Version = next.Versions.Length,
            UpdatedAt = next.UpdatedAt,
            ContentIds = [.. next.Versions.SelectMany(v => FlowValidator.References(v).ContentIds).Distinct()],
            Trigger = current.Trigger,
        });
        await InvalidateCachesAsync();
    }

    /// <summary>
    /// Every silo drops its cached copy of this flow before the change is confirmed, so that no silo acts on the
    /// old version or status afterwards. A silo that does not answer in time falls back on the cache's short TTL.
    /// </summary>
    private async Task InvalidateCachesAsync()
    {
        cache.Invalidate(FlowId);
        triggers.Invalidate();
        try
        {
            var silos = await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            await Task.WhenAll(silos.Keys.Select(silo => GrainFactory.GetGrain<IFlowCacheGrain>(silo.ToParsableString()).InvalidateAsync(FlowId)))
                .WaitAsync(CacheInvalidationTimeout);
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            LogWarningInvalidationFailed(logger, ex, FlowId);
        }
    }

    private static readonly TimeSpan CacheInvalidationTimeout = TimeSpan.FromSeconds(5);

    private FlowSnapshot Snapshot() => new()
    {
        Id = FlowId,
        Version = state.State.Versions.Length,
        Status = state.State.Status,
        Definition = state.State.Versions[^1],
        CreatedAt = state.State.CreatedAt,
        UpdatedAt = state.State.UpdatedAt,
        StartedAt = state.State.StartedAt,
        PausedAt = state.State.PausedAt,
        EndedAt = state.State.EndedAt,
    };

    private FlowCommandResult NotFound() => FlowCommandResult.NotFound($"Flow '{FlowId}' does not exist.");

    private FlowCommandResult Forbidden(string transition) =>
        FlowCommandResult.Conflict($"Flow '{FlowId}' is {Name(state.State.Status)}; the lifecycle draft → running ⇄ paused → ended does not allow {transition} from there.");

    private static string Name(FlowStatus status) => status.ToString().ToLowerInvariant();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not every silo confirmed that it dropped its cached copy of flow {FlowId}; they pick up the change within a second")]
    private static partial void LogWarningInvalidationFailed(ILogger logger, Exception exception, string flowId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow {FlowId} created: {Name}")]
    private static partial void LogInformationCreated(ILogger logger, string flowId, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow {FlowId} saved as version {Version}")]
    private static partial void LogInformationUpdated(ILogger logger, string flowId, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow {FlowId} {Transition}")]
    private static partial void LogInformationLifecycle(ILogger logger, string flowId, string transition);
}
