using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Flows.Api.Auth;
using Orleans.Flows.Api.Http;
using Orleans.Flows.Api.OpenApi;
using Orleans.Flows.Values;
using Orleans.Flows.Participants;

namespace Orleans.Flows.Api.Endpoints;

/// <summary>Enrollment jobs: a whole segment into a flow, in the background, with progress to watch.</summary>
public static class EnrollmentsApi
{
    public static RouteGroupBuilder MapEnrollments(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/flows/{flowId}/enrollments").WithTags("Enrollments");
        group.MapPost("/", StartJob).RequireAuthorization(Policies.Admin).Accepts<EnrollmentJobBody>("application/json")
            .WithSummary("Enroll a segment (background job)")
            .WithDescription("Starts a job that enrolls every member of the segment, of any size, in pages; `Location` is the job's address. " +
                             "Name the job (`jobId`) to retry safely: the same id and segment answer with the job already started, the same id " +
                             "for another segment is a 409. An unknown segment is a 400 at `$.segmentId`. A job holds while its flow is paused " +
                             "and fails when the flow ends or is deleted.")
            .Produces<EnrollmentJobAccepted>(StatusCodes.Status202Accepted)
            .WithLocationHeader(StatusCodes.Status202Accepted, "The job's address, `/v1/flows/{flowId}/enrollments/{jobId}`.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithRequestExample("segment", "A named job for a segment", RequestExamples.EnrollmentJob)
            .WithResponseExample(202, "started", "The job is running", ResponseExamples.EnrollmentJobAccepted);
        group.MapGet("/{jobId}", GetJob).RequireAuthorization(Policies.Read)
            .WithSummary("Get an enrollment job")
            .WithDescription("Progress: `status` (`running`, `completed`, `failed` with `error`), `total` (the segment's size when the job started), " +
                             "`processed`, `enrolled`, `skipped` and `skippedByReason`.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithResponseExample(200, "completed", "A finished job", ResponseExamples.EnrollmentJob);
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
public sealed record EnrollmentJobBody(string SegmentId, string? JobId = null);

public sealed record EnrollmentJobAccepted(string JobId, EnrollmentJobStatus Status, long Total);
