using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Flows.Api.Auth;
using Orleans.Flows.Api.Http;
using Orleans.Flows.Api.OpenApi;
using Orleans.Flows.Api.OpenApi.Schemas;
using Orleans.Flows.Flows;
using Orleans.Flows.Statistics;
using Orleans.Flows.Values;

namespace Orleans.Flows.Api.Endpoints;

public static class FlowsApi
{
    public static RouteGroupBuilder MapFlows(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/flows").WithTags("Flows");
        group.MapPost("/", CreateFlow).RequireAuthorization(Policies.Admin).Accepts<NewFlowBody>("application/json")
            .WithSummary("Create a flow")
            .WithDescription("Creates a flow in `draft` at version 1. The body may carry its own `id`, otherwise one is made. A definition is " +
                             "refused with a 400 naming the JSON path of each problem: a repeated step id, a `next` that points nowhere, an " +
                             "unreachable step, a loop without a wait, an unknown content or flow id, a value out of range.")
            .Produces<FlowResponse>(StatusCodes.Status201Created)
            .WithLocationHeader(StatusCodes.Status201Created, "The new flow's address, `/v1/flows/{id}`.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithRequestExample("welcome", "sendEmail → wait → condition → SMS, wait for a click, update the contact, CRM task", () => RequestExamples.Flow())
            .WithRequestExample("event-triggered", "Triggered by a form submission, with a split, a time of day, push and a webhook", RequestExamples.EventTriggeredFlow)
            .WithResponseExample(201, "created", "The new draft", () => ResponseExamples.Flow())
            .WithResponseExample(400, "invalid-flow", "A definition with problems", ProblemExamples.InvalidFlow);
        group.MapPut("/{id}", UpdateFlow).RequireAuthorization(Policies.Admin).Accepts<FlowDefinition>("application/json")
            .WithSummary("Edit a flow")
            .WithDescription("Saves the definition as a new version; participants stay on the version they were enrolled in. 409 unless the flow is draft or paused.")
            .Produces<FlowResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithRequestExample("welcome", "The same flow with its steps", () => RequestExamples.Flow(withId: false))
            .WithResponseExample(400, "invalid-flow", "A definition with problems", ProblemExamples.InvalidFlow);
        group.MapGet("/", ListFlows).RequireAuthorization(Policies.Read)
            .WithSummary("List flows")
            .WithDescription("Flows in id order, with their enrollment counts and success rate (successful ÷ enrolled).")
            .WithQueryParameter("status", "Only flows with this status.", Enum.GetNames<FlowStatus>().Select(n => n.ToLowerInvariant()))
            .WithQueryParameter("search", "Only flows whose name or id contains this text (at most 200 characters).")
            .WithPaging()
            .WithResponseExample(200, "page", "One page", ResponseExamples.FlowList);
        group.MapGet("/{id}", GetFlow).RequireAuthorization(Policies.Read)
            .WithSummary("Get a flow")
            .WithDescription("The current definition with its status, version and timestamps.")
            .Produces<FlowResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithResponseExample(200, "running", "A running flow", () => ResponseExamples.Flow("running"));
        group.MapPost("/{id}/start", StartFlow).RequireAuthorization(Policies.Admin)
            .WithSummary("Start (or resume) a flow")
            .WithDescription("`draft → running`, or `paused → running`: a resumed flow moves on the waits that fell due during the pause. " +
                             "A segment-triggered flow enrolls every member of its segments. 409 for any other transition.")
            .DocumentsFlowCommand();
        group.MapPost("/{id}/pause", PauseFlow).RequireAuthorization(Policies.Admin)
            .WithSummary("Pause a flow")
            .WithDescription("`running → paused`: participants are held where they are. 409 for any other transition.")
            .DocumentsFlowCommand();
        group.MapPost("/{id}/end", EndFlow).RequireAuthorization(Policies.Admin)
            .WithSummary("End a flow")
            .WithDescription("`running` or `paused → ended`: every participant exits with reason `flow_ended`. 409 for any other transition.")
            .DocumentsFlowCommand();
        group.MapDelete("/{id}", DeleteFlow).RequireAuthorization(Policies.Admin)
            .WithSummary("Delete a flow")
            .WithDescription("Only a draft or ended flow (else 409). A flow that ran keeps its id reserved; its participants and statistics outlive it.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{id}/stats", GetStats).RequireAuthorization(Policies.Read)
            .WithSummary("Flow statistics")
            .WithDescription("Participants by status, per-step counts (`entered`, `completed`, `waiting`) and sends (`sent`, `delivered`, `failed`, `opened`, `clicked`). " +
                             "`successRate` is successful ÷ enrolled.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithResponseExample(200, "stats", "A flow that has run a while", ResponseExamples.Stats);
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

    /// <summary>The answers of start, pause and end.</summary>
    private static RouteHandlerBuilder DocumentsFlowCommand(this RouteHandlerBuilder route) => route
        .Produces<FlowResponse>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .WithResponseExample(200, "running", "The flow after the command", () => ResponseExamples.Flow("running"));

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
