using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Flows.Api.Auth;
using Orleans.Flows.Api.Http;
using Orleans.Flows.Values;
using Orleans.Flows.Participants;

namespace Orleans.Flows.Api.Endpoints;

/// <summary>Enrollment jobs: a whole segment into a flow, in the background, with progress to watch.</summary>
public static class EnrollmentsApi
{
    public static RouteGroupBuilder MapEnrollments(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/flows/{flowId}/enrollments").WithTags("Enrollments");
        group.MapPost("/", StartJob).RequireAuthorization(Policies.Admin).Accepts<EnrollmentJobBody>("application/json");
        group.MapGet("/{jobId}", GetJob).RequireAuthorization(Policies.Read);
        return group;
    }

    /// <summary>
    /// <c>{segmentId}</c> → <c>202 {jobId}</c>. A client may name the job (<c>jobId</c>) to retry the request safely:
    /// the same id and segment answer with the job already started.
    /// </summary>
    public static async Task<IResult> StartJob(string flowId, HttpRequest request, IGrainFactory grains)
    {
        if (!Ids.IsValid(flowId)) return Problems.Invalid("flowId", Ids.Rule);
        var (root, problem) = await JsonBody.ReadElementAsync(request);
        if (problem is not null) return problem;
        if (root.ValueKind != JsonValueKind.Object) return Problems.Invalid("$", "must be a JSON object");
        var errors = new Dictionary<string, string[]>();
        var segmentId = ReadId(root, "segmentId", required: true, errors);
        var jobId = ReadId(root, "jobId", required: false, errors) ?? Guid.NewGuid().ToString("N");
        if (errors.Count > 0) return Problems.Invalid(errors);

        var start = await grains.GetGrain<IEnrollmentJobGrain>(ParticipantKey.Format(flowId, jobId)).StartAsync(segmentId!);
        return start.Refusal switch
        {
            EnrollmentJobRefusal.None => TypedResults.Accepted($"/v1/flows/{flowId}/enrollments/{jobId}", new EnrollmentJobAccepted(jobId, start.Job!.Status, start.Job.Total)),
            EnrollmentJobRefusal.FlowNotFound => Problems.NotFound(start.Detail!),
            EnrollmentJobRefusal.SegmentNotFound => Problems.Invalid("$.segmentId", start.Detail!),
            _ => Problems.Conflict(start.Detail!),
        };
    }

    public static async Task<Results<Ok<EnrollmentJobView>, ProblemHttpResult, ValidationProblem>> GetJob(string flowId, string jobId, IGrainFactory grains)
    {
        if (!Ids.IsValid(flowId)) return Problems.Invalid("flowId", Ids.Rule);
        if (!Ids.IsValid(jobId)) return Problems.Invalid("jobId", Ids.Rule);
        var job = await grains.GetGrain<IEnrollmentJobGrain>(ParticipantKey.Format(flowId, jobId)).GetAsync();
        return job is null ? Problems.NotFound($"Flow '{flowId}' has no enrollment job '{jobId}'.") : TypedResults.Ok(job);
    }

    private static string? ReadId(JsonElement root, string name, bool required, Dictionary<string, string[]> errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required) errors["$." + name] = ["is required"];
            return null;
        }
        if (value.ValueKind != JsonValueKind.String || !Ids.IsValid(value.GetString()!))
        {
            errors["$." + name] = [Ids.Rule];
            return null;
        }
        return value.GetString();
    }
}

/// <summary>The body of <c>POST /v1/flows/{id}/enrollments</c>.</summary>
public sealed record EnrollmentJobBody(string SegmentId, string? JobId);

public sealed record EnrollmentJobAccepted(string JobId, EnrollmentJobStatus Status, long Total);
