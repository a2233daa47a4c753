using System.Collections.Immutable;

namespace Orleans.Flows.Flows;

/// <summary>draft → running ⇄ paused → ended.</summary>
public enum FlowStatus { Draft, Running, Paused, Ended }

/// <summary>A flow as clients see it: its newest definition, version and lifecycle.</summary>
[GenerateSerializer, Immutable, Alias("flows.FlowSnapshot")]
public sealed record FlowSnapshot
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required int Version { get; init; }
    [Id(2)] public required FlowStatus Status { get; init; }
    [Id(3)] public required FlowDefinition Definition { get; init; }
    [Id(4)] public DateTimeOffset CreatedAt { get; init; }
    [Id(5)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(6)] public DateTimeOffset? StartedAt { get; init; }
    [Id(7)] public DateTimeOffset? PausedAt { get; init; }
    [Id(8)] public DateTimeOffset? EndedAt { get; init; }
}

public enum FlowCommandError { None, NotFound, Conflict, Invalid }

/// <summary>The answer to a flow command: the flow, or why nothing changed.</summary>
[GenerateSerializer, Immutable, Alias("flows.FlowCommandResult")]
public sealed record FlowCommandResult
{
    [Id(0)] public FlowSnapshot? Flow { get; init; }
    [Id(1)] public FlowCommandError Error { get; init; }
    [Id(2)] public string? Detail { get; init; }
    /// <summary>Validation errors by JSON path, when <see cref="Error"/> is <see cref="FlowCommandError.Invalid"/>.</summary>
    [Id(3)] public ImmutableSortedDictionary<string, string[]> Errors { get; init; } = ImmutableSortedDictionary<string, string[]>.Empty;

    public static FlowCommandResult Ok(FlowSnapshot flow) => new() { Flow = flow };
    public static FlowCommandResult NotFound(string detail) => new() { Error = FlowCommandError.NotFound, Detail = detail };
    public static FlowCommandResult Conflict(string detail) => new() { Error = FlowCommandError.Conflict, Detail = detail };
    public static FlowCommandResult Invalid(ImmutableSortedDictionary<string, string[]> errors) =>
        new() { Error = FlowCommandError.Invalid, Detail = "The flow definition is not valid.", Errors = errors };
}

/// <summary>One flow, keyed by its id: its definition versions and its lifecycle.</summary>
public interface IFlowGrain : IGrainWithStringKey
{
    Task<FlowCommandResult> CreateAsync(FlowDefinition definition);

    /// <summary>Saves a new version; only a draft or paused flow may be edited.</summary>
    Task<FlowCommandResult> UpdateAsync(FlowDefinition definition);

    Task<FlowSnapshot?> GetAsync();

    /// <summary>A definition version; versions never change, so callers may cache the answer for good.</summary>
    Task<FlowDefinition?> GetVersionAsync(int version);

    Task<FlowCommandResult> StartAsync();

    Task<FlowCommandResult> PauseAsync();

    Task<FlowCommandResult> EndAsync();

    /// <summary>Deletes a draft or ended flow.</summary>
    Task<FlowCommandResult> DeleteAsync();
}
