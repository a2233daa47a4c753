using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Flows.Api.Auth;
using Orleans.Flows.Api.Http;
using Orleans.Flows.Flows;
using Orleans.Flows.Statistics;
using Orleans.Flows.Values;

namespace Orleans.Flows.Api.Endpoints;

public static class FlowsApi
{
    public static RouteGroupBuilder MapFlows(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/flows").WithTags("Flows");
        group.MapPost("/", CreateFlow).RequireAuthorization(Policies.Admin).Accepts<FlowDefinition>("application/json");
        group.MapPut("/{id}", UpdateFlow).RequireAuthorization(Policies.Admin).Accepts<FlowDefinition>("application/json");
        group.MapGet("/", ListFlows).RequireAuthorization(Policies.Read);
        group.MapGet("/{id}", GetFlow).RequireAuthorization(Policies.Read);
        group.MapPost("/{id}/start", StartFlow).RequireAuthorization(Policies.Admin);
        group.MapPost("/{id}/pause", PauseFlow).RequireAuthorization(Policies.Admin);
        group.MapPost("/{id}/end", EndFlow).RequireAuthorization(Policies.Admin);
        group.MapDelete("/{id}", DeleteFlow).RequireAuthorization(Policies.Admin);
        group.MapGet("/{id}/stats", GetStats).RequireAuthorization(Policies.Read);
        return group;
    }

    /// <summary>Creates a flow; the body may carry its own <c>id</c>, otherwise one is made.</summary>
    public static async Task<IResult> CreateFlow(HttpRequest request, IGrainFactory grains)
    {
        var (definition, root, problem) = await JsonBody.ReadAsync<FlowDefinition>(request);
        if (problem is not null) return problem;
        string id;
        if (root.TryGetProperty("id", out var idElement) && idElement.ValueKind != JsonValueKind.Null)
        {
            if (idElement.ValueKind != JsonValueKind.String || !Ids.IsValid(idElement.GetString())) return Problems.Invalid("$.id", Ids.Rule);
            id = idElement.GetString()!;
        }
        else
        {
            id = "flow-" + Guid.NewGuid().ToString("N")[..16];
        }
        var result = await grains.GetGrain<IFlowGrain>(id).CreateAsync(definition!);
        return result.Flow is { } flow
            ? TypedResults.Created($"/v1/flows/{flow.Id}", ToJson(flow))
            : Problems.FromFlowCommand(result);
    }

    public static async Task<IResult> UpdateFlow(string id, HttpRequest request, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", Ids.Rule);
        var (definition, _, problem) = await JsonBody.ReadAsync<FlowDefinition>(request);
        if (problem is not null) return problem;
        var result = await grains.GetGrain<IFlowGrain>(id).UpdateAsync(definition!);
        return result.Flow is { } flow ? TypedResults.Ok(ToJson(flow)) : Problems.FromFlowCommand(result);
    }

    public static async Task<Results<Ok<FlowList>, ValidationProblem>> ListFlows(HttpContext context, IGrainFactory grains, string? status, string? search, string? cursor, string? limit)
    {
        var errors = new Dictionary<string, string[]>();
        FlowStatus? statusFilter = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (Enum.TryParse<FlowStatus>(status, ignoreCase: true, out var parsed) && status.All(char.IsAsciiLetterLower)) statusFilter = parsed;
            else errors["status"] = ["must be draft, running, paused or ended"];
        }
        var (after, pageSize) = Paging.Read(cursor, limit, errors);
        if (search is { Length: > 200 }) errors["search"] = ["must be at most 200 characters"];
        if (errors.Count > 0) return Problems.Invalid(errors);

        await ReadModels.FlushLocalAsync(context);
        var page = await grains.GetGrain<IFlowCatalogGrain>(IFlowCatalogGrain.Key).ListAsync(statusFilter, search, after, pageSize);
        var stats = await Task.WhenAll(page.Items.Select(f => grains.GetGrain<IFlowStatsGrain>(f.Id).GetAsync()));
        var items = page.Items.Select((f, i) => new FlowListItem(
            f.Id, f.Name, f.Status, f.Version, stats[i].Enrolled, stats[i].Active + stats[i].Waiting, stats[i].SuccessRate, f.UpdatedAt)).ToList();
        return TypedResults.Ok(new FlowList(items, Paging.Encode(page.NextCursor)));
    }

    public static async Task<IResult> GetFlow(string id, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", Ids.Rule);
        var flow = await grains.GetGrain<IFlowGrain>(id).GetAsync();
        return flow is null ? Problems.NotFound($"Flow '{id}' does not exist.") : TypedResults.Ok(ToJson(flow));
    }

    public static Task<IResult> StartFlow(string id, IGrainFactory grains) => Command(id, grains, g => g.StartAsync());

    public static Task<IResult> PauseFlow(string id, IGrainFactory grains) => Command(id, grains, g => g.PauseAsync());

    public static Task<IResult> EndFlow(string id, IGrainFactory grains) => Command(id, grains, g => g.EndAsync());

    public static async Task<IResult> DeleteFlow(string id, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", Ids.Rule);
        var result = await grains.GetGrain<IFlowGrain>(id).DeleteAsync();
        return result.Flow is not null ? TypedResults.NoContent() : Problems.FromFlowCommand(result);
    }

    public static async Task<Results<Ok<FlowStatsResponse>, ProblemHttpResult, ValidationProblem>> GetStats(string id, HttpContext context, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", Ids.Rule);
        if (await grains.GetGrain<IFlowGrain>(id).GetAsync() is null) return Problems.NotFound($"Flow '{id}' does not exist.");
        await ReadModels.FlushLocalAsync(context);
        return TypedResults.Ok(FlowStatsResponse.From(await grains.GetGrain<IFlowStatsGrain>(id).GetAsync()));
    }

    private static async Task<IResult> Command(string id, IGrainFactory grains, Func<IFlowGrain, Task<FlowCommandResult>> command)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", Ids.Rule);
        var result = await command(grains.GetGrain<IFlowGrain>(id));
        return result.Flow is { } flow ? TypedResults.Ok(ToJson(flow)) : Problems.FromFlowCommand(result);
    }

    /// <summary>A flow as one object: id, version, status and timestamps beside the definition's own fields.</summary>
    public static JsonObject ToJson(FlowSnapshot flow)
    {
        var json = new JsonObject
        {
            ["id"] = flow.Id,
            ["version"] = flow.Version,
            ["status"] = JsonSerializer.SerializeToNode(flow.Status, FlowJson.Options),
            ["createdAt"] = flow.CreatedAt,
            ["updatedAt"] = flow.UpdatedAt,
            ["startedAt"] = flow.StartedAt,
            ["pausedAt"] = flow.PausedAt,
            ["endedAt"] = flow.EndedAt,
        };
        foreach (var (key, value) in JsonSerializer.SerializeToNode(flow.Definition, FlowJson.Options)!.AsObject())
            json[key] = value?.DeepClone();
        return json;
    }
}

public sealed record FlowListItem(string Id, string Name, FlowStatus Status, int Version, long Enrolled, long Active, double SuccessRate, DateTimeOffset UpdatedAt);

public sealed record FlowList(IReadOnlyList<FlowListItem> Items, string? NextCursor);

public sealed record FlowStatsResponse(
    long Enrolled, long Active, long Waiting, long Completed, long Succeeded, long Exited, long Removed, long Failed,
    double SuccessRate, long Successful, IReadOnlyDictionary<string, StepStats> Steps, SendStats Sends)
{
    public static FlowStatsResponse From(FlowStats s) => new(
        s.Enrolled, s.Active, s.Waiting, s.Completed, s.Succeeded, s.Exited, s.Removed, s.Failed,
        s.SuccessRate, s.SucceededTotal, s.Steps, s.Sends);
}
