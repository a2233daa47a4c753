using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Flows.Api.Auth;
using Orleans.Flows.Api.Http;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Segments;
using Orleans.Flows.Values;

namespace Orleans.Flows.Api.Endpoints;

public static class SegmentsApi
{
    public const int MaxContactIds = 10_000;

    public static RouteGroupBuilder MapSegments(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/segments").WithTags("Segments");
        group.MapPut("/{id}", PutSegment).RequireAuthorization(Policies.Admin).Accepts<SegmentBody>("application/json");
        group.MapGet("/{id}", GetSegment).RequireAuthorization(Policies.Read);
        group.MapPost("/{id}/members", AddMembers).RequireAuthorization(Policies.Admin).Accepts<SegmentMembersBody>("application/json");
        group.MapDelete("/{id}/members/{contactId}", RemoveMember).RequireAuthorization(Policies.Admin);
        return group;
    }

    public static async Task<Results<Ok<SegmentView>, ValidationProblem>> PutSegment(string id, HttpRequest request, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", Ids.Rule);
        var (root, problem) = await JsonBody.ReadElementAsync(request);
        if (problem is not null) return problem;
        if (root.ValueKind != JsonValueKind.Object) return Problems.Invalid("$", "must be a JSON object");
        var errors = new Dictionary<string, string[]>();
        var name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        if (name is not { Length: > 0 and <= 200 }) errors["$.name"] = ["is required, 1-200 characters"];
        if (root.TryGetProperty("filter", out var filter) && filter.ValueKind != JsonValueKind.Null)
            errors["$.filter"] = ["filter segments are not supported yet; give the members as contactIds"];
        else if (!root.TryGetProperty("contactIds", out _))
            errors["$.contactIds"] = ["is required: the contact ids of this static segment"];
        var contactIds = ReadIds(root, errors, allowEmpty: true);
        if (errors.Count > 0) return Problems.Invalid(errors);
        return TypedResults.Ok(await grains.GetGrain<ISegmentGrain>(id).PutStaticAsync(name!, contactIds));
    }

    public static async Task<Results<Ok<SegmentView>, ProblemHttpResult, ValidationProblem>> GetSegment(string id, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", Ids.Rule);
        var segment = await grains.GetGrain<ISegmentGrain>(id).GetAsync();
        return segment is null ? Problems.NotFound($"Segment '{id}' does not exist.") : TypedResults.Ok(segment);
    }

    public static async Task<Results<Ok<SegmentAddedResponse>, ProblemHttpResult, ValidationProblem>> AddMembers(string id, HttpRequest request, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", Ids.Rule);
        var (root, problem) = await JsonBody.ReadElementAsync(request);
        if (problem is not null) return problem;
        if (root.ValueKind != JsonValueKind.Object) return Problems.Invalid("$", "must be a JSON object");
        var errors = new Dictionary<string, string[]>();
        var contactIds = ReadIds(root, errors, allowEmpty: false);
        if (errors.Count > 0) return Problems.Invalid(errors);
        var added = await grains.GetGrain<ISegmentGrain>(id).AddMembersAsync(contactIds);
        return added is null ? Problems.NotFound($"Segment '{id}' does not exist.") : TypedResults.Ok(new SegmentAddedResponse(added.Value));
    }

    public static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> RemoveMember(string id, string contactId, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", Ids.Rule);
        if (!Ids.IsValid(contactId)) return Problems.Invalid("contactId", Ids.Rule);
        return await grains.GetGrain<ISegmentGrain>(id).RemoveMemberAsync(contactId)
            ? TypedResults.NoContent()
            : Problems.NotFound($"Contact '{contactId}' is not in segment '{id}'.");
    }

    private static ImmutableArray<string> ReadIds(JsonElement root, Dictionary<string, string[]> errors, bool allowEmpty)
    {
        if (!root.TryGetProperty("contactIds", out _)) return [];
        var found = new ValidationErrors();
        var ids = JsonFields.ReadContactIds(root, found, allowEmpty ? 0 : 1, MaxContactIds);
        foreach (var (path, messages) in found.ToImmutable()) errors[path] = messages;
        return ids;
    }
}

public sealed record SegmentBody(string Name, string[]? ContactIds, JsonElement? Filter);

public sealed record SegmentMembersBody(string[] ContactIds);

public sealed record SegmentAddedResponse(int Added);
