using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Flows.Api.Auth;
using Orleans.Flows.Api.Http;
using Orleans.Flows.Api.OpenApi;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Segments;
using Orleans.Flows.Values;

namespace Orleans.Flows.Api.Endpoints;

public static class SegmentsApi
{
    public const int MaxContactIds = InputLimits.MaxBatch;

    public static RouteGroupBuilder MapSegments(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/segments").WithTags("Segments");
        group.MapPut("/{id}", PutSegment).RequireAuthorization(Policies.Admin).Accepts<SegmentBody>("application/json")
            .WithSummary("Create or replace a segment")
            .WithDescription($"A static list `{{name, contactIds}}` (up to {MaxContactIds} ids) or a filter `{{name, filter}}`: attribute conditions on " +
                             "contact fields, `tags` and `attributes.X`, combined with `all`, `any`, `not`; event and property conditions are refused " +
                             "with a 400 naming the JSON path. A new `PUT` may switch a segment between list and filter.")
            .WithRequestExample("filter", "A filter segment", RequestExamples.FilterSegment)
            .WithRequestExample("list", "A static list", RequestExamples.StaticSegment)
            .WithResponseExample(200, "filter", "A filter segment with its count", ResponseExamples.Segment);
        group.MapGet("/{id}", GetSegment).RequireAuthorization(Policies.Read)
            .WithSummary("Get a segment")
            .WithDescription("The segment with `count`, its members now (for a filter: the contacts that match it now).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithResponseExample(200, "filter", "A filter segment", ResponseExamples.Segment);
        group.MapPost("/{id}/members", AddMembers).RequireAuthorization(Policies.Admin).Accepts<SegmentMembersBody>("application/json")
            .WithSummary("Add contacts to a static segment")
            .WithDescription($"1–{MaxContactIds} ids; `added` counts those not already members. Each addition records `selection.added` with " +
                             "`properties.segmentId` on the contact. 409 for a filter segment, whose members cannot be changed by hand.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithRequestExample("contacts", "Two contacts", RequestExamples.ContactIds)
            .WithResponseExample(200, "added", "One was new", ResponseExamples.SegmentAdded);
        group.MapDelete("/{id}/members/{contactId}", RemoveMember).RequireAuthorization(Policies.Admin)
            .WithSummary("Remove a contact from a static segment")
            .WithDescription("404 when the contact is not a member; 409 for a filter segment.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
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
        var hasFilter = root.TryGetProperty("filter", out var filterElement) && filterElement.ValueKind != JsonValueKind.Null;
        var hasContactIds = root.TryGetProperty("contactIds", out _);
        if (hasFilter && hasContactIds)
        {
            errors["$.filter"] = ["a segment is a filter or a static list of contactIds, not both"];
            return Problems.Invalid(errors);
        }
        if (hasFilter)
        {
            var filter = ReadFilter(filterElement, errors);
            if (errors.Count > 0) return Problems.Invalid(errors);
            return TypedResults.Ok(await grains.GetGrain<ISegmentGrain>(id).PutFilterAsync(name!, filter!));
        }
        if (!hasContactIds) errors["$.contactIds"] = ["is required: the contact ids of a static segment (or give a filter)"];
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
        var segment = grains.GetGrain<ISegmentGrain>(id);
        if (await segment.AddMembersAsync(contactIds) is { } added) return TypedResults.Ok(new SegmentAddedResponse(added));
        return await segment.GetFilterAsync() is not null ? FilterMembersConflict(id) : Problems.NotFound($"Segment '{id}' does not exist.");
    }

    public static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> RemoveMember(string id, string contactId, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", Ids.Rule);
        if (!Ids.IsValid(contactId)) return Problems.Invalid("contactId", Ids.Rule);
        var segment = grains.GetGrain<ISegmentGrain>(id);
        if (await segment.RemoveMemberAsync(contactId)) return TypedResults.NoContent();
        return await segment.GetFilterAsync() is not null ? FilterMembersConflict(id) : Problems.NotFound($"Contact '{contactId}' is not in segment '{id}'.");
    }

    private static ProblemHttpResult FilterMembersConflict(string id) =>
        Problems.Conflict($"Segment '{id}' is a filter segment: a filter segment's members are the contacts that match it. Change the filter, or the contacts.");

    /// <summary>A condition as flows read it (same JSON, same paths), then the rules of a segment filter.</summary>
    private static Condition? ReadFilter(JsonElement element, Dictionary<string, string[]> errors)
    {
        var (filter, problem) = JsonBody.Convert<Condition>(element, "$.filter");
        if (problem is not null)
        {
            foreach (var (path, messages) in problem.ProblemDetails.Errors) errors[path] = messages;
            return null;
        }
        foreach (var (path, messages) in FlowValidator.ValidateSegmentFilter(filter!)) errors[path] = messages;
        return filter;
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

/// <summary>A static list (<c>contactIds</c>) or a filter segment (<c>filter</c>, attribute conditions with all, any and not).</summary>
public sealed record SegmentBody
{
    public required string Name { get; init; }
    public string[]? ContactIds { get; init; }
    public Condition? Filter { get; init; }
}

public sealed record SegmentMembersBody(string[] ContactIds);

public sealed record SegmentAddedResponse(int Added);
