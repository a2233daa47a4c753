using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Flows.Api.Auth;
using Orleans.Flows.Api.Http;
using Orleans.Flows.Api.OpenApi;
using Orleans.Flows.Content;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using Orleans.Flows.Values;

namespace Orleans.Flows.Api.Endpoints;

public static class ParticipantsApi
{
    public const int MaxEnroll = InputLimits.MaxBatch;

    public static RouteGroupBuilder MapParticipants(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/flows/{flowId}/participants").WithTags("Participants");
        group.MapPost("/", Enroll).RequireAuthorization(Policies.Admin).Accepts<EnrollBody>("application/json")
            .WithSummary("Enroll contacts")
            .WithDescription($"Enrolls 1–{MaxEnroll} contacts into a running flow (else 409). Each contact that is not enrolled is listed in `skipped` " +
                             "with its reason: `contact_not_found`, `filtered_out`, `already_enrolled`, `reentry_not_allowed`, `no_consent`.")
            .Produces<EnrollResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithRequestExample("contacts", "Two contacts", RequestExamples.ContactIds)
            .WithResponseExample(200, "enrolled", "One enrolled, one skipped", ResponseExamples.Enrolled);
        group.MapGet("/", ListParticipants).RequireAuthorization(Policies.Read)
            .WithSummary("List participants")
            .WithDescription("The flow's participants in contact-id order, with their status, step and last sending.")
            .WithQueryParameter("status", "Only participants with this status.", Enum.GetNames<ParticipantStatus>().Select(n => n.ToLowerInvariant()))
            .WithQueryParameter("stepId", "Only participants currently at this step.")
            .WithPaging()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithResponseExample(200, "page", "One page", ResponseExamples.ParticipantList);
        group.MapGet("/{contactId}", GetParticipant).RequireAuthorization(Policies.Read)
            .WithSummary("Get a participant's journey")
            .WithDescription("Always current. `history` shows every step: `scheduledAt` when it was due, `at` when it ran, `outcome`, and `reason` " +
                             "why it was skipped or exited (e.g. `filtered_out`, `no_consent`, `flow_ended`, `success`).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithResponseExample(200, "waiting", "Sent the email, waiting two days", ResponseExamples.Participant);
        group.MapDelete("/{contactId}", RemoveParticipant).RequireAuthorization(Policies.Admin)
            .WithSummary("Remove a participant")
            .WithDescription("Stops the participant at once with status `removed` (again: 204). 409 when it already left the flow otherwise.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static async Task<IResult> Enroll(string flowId, HttpRequest request, IGrainFactory grains)
    {
        if (!Ids.IsValid(flowId)) return Problems.Invalid("flowId", Ids.Rule);
        var (root, problem) = await JsonBody.ReadElementAsync(request);
        if (problem is not null) return problem;
        var errors = new ValidationErrors();
        var ids = JsonFields.ReadContactIds(root, errors, 1, MaxEnroll);
        if (!errors.IsEmpty) return Problems.Invalid(errors.ToImmutable().ToDictionary(e => e.Key, e => e.Value));

        var outcome = await grains.GetGrain<IEnrollmentGrain>(0).EnrollAsync(flowId, ids);
        if (outcome.FlowNotFound) return Problems.NotFound($"Flow '{flowId}' does not exist.");
        if (outcome.Conflict is { } conflict) return Problems.Conflict(conflict);
        return TypedResults.Ok(new EnrollResponse(outcome.Enrolled, [.. outcome.Skipped.Select(s => new EnrollSkipItem(s.ContactId, s.Reason.ToApi()))]));
    }

    public static async Task<Results<Ok<ParticipantList>, ProblemHttpResult, ValidationProblem>> ListParticipants(
        string flowId, HttpContext context, IGrainFactory grains, string? status, string? stepId, string? cursor, string? limit)
    {
        if (!Ids.IsValid(flowId)) return Problems.Invalid("flowId", Ids.Rule);
        var errors = new Dictionary<string, string[]>();
        ParticipantStatus? statusFilter = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (Enum.TryParse<ParticipantStatus>(status, ignoreCase: true, out var parsed) && status.All(char.IsAsciiLetterLower)) statusFilter = parsed;
            else errors["status"] = ["must be active, waiting, completed, succeeded, exited, removed or failed"];
        }
        if (stepId is not null && !Ids.IsValid(stepId)) errors["stepId"] = [Ids.Rule];
        var (after, pageSize) = Paging.Read(cursor, limit, errors);
        if (errors.Count > 0) return Problems.Invalid(errors);
        if (await grains.GetGrain<IFlowGrain>(flowId).GetAsync() is null) return Problems.NotFound($"Flow '{flowId}' does not exist.");

        await ReadModels.FlushLocalAsync(context);
        var page = await grains.GetGrain<IFlowParticipantsGrain>(flowId).QueryAsync(new ParticipantQuery
        {
            Status = statusFilter,
            StepId = stepId,
            AfterContactId = after,
            Limit = pageSize,
        });
        return TypedResults.Ok(new ParticipantList([.. page.Items.Select(ParticipantItem.From)], Paging.Encode(page.NextAfterContactId)));
    }

    public static async Task<Results<Ok<ParticipantDetailResponse>, ProblemHttpResult, ValidationProblem>> GetParticipant(string flowId, string contactId, IGrainFactory grains)
    {
        if (!Ids.IsValid(flowId)) return Problems.Invalid("flowId", Ids.Rule);
        if (!Ids.IsValid(contactId)) return Problems.Invalid("contactId", Ids.Rule);
        var detail = await grains.GetGrain<IParticipantGrain>(ParticipantKey.Format(flowId, contactId)).GetAsync();
        return detail is null
            ? Problems.NotFound($"Contact '{contactId}' has not been in flow '{flowId}'.")
            : TypedResults.Ok(ParticipantDetailResponse.From(detail));
    }

    public static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> RemoveParticipant(string flowId, string contactId, IGrainFactory grains)
    {
        if (!Ids.IsValid(flowId)) return Problems.Invalid("flowId", Ids.Rule);
        if (!Ids.IsValid(contactId)) return Problems.Invalid("contactId", Ids.Rule);
        var grain = grains.GetGrain<IParticipantGrain>(ParticipantKey.Format(flowId, contactId));
        if (await grain.RemoveAsync()) return TypedResults.NoContent();
        var summary = await grain.GetSummaryAsync();
        return summary switch
        {
            null => Problems.NotFound($"Contact '{contactId}' has not been in flow '{flowId}'."),
            { Status: ParticipantStatus.Removed } => TypedResults.NoContent(),
            _ => Problems.Conflict($"Contact '{contactId}' already left flow '{flowId}' ({summary.Status.ToApi()})."),
        };
    }
}

public sealed record EnrollBody(string[] ContactIds);

public sealed record EnrollSkipItem(string ContactId, string Reason);

public sealed record EnrollResponse(int Enrolled, IReadOnlyList<EnrollSkipItem> Skipped);

public sealed record LastSendingItem(string ContentId, Channel Channel, string MessageId, DateTimeOffset At, string Status)
{
    public static LastSendingItem? From(LastSending? s) => s is null ? null : new(s.ContentId, s.Channel, s.MessageId, s.At, s.Status);
}

public sealed record ParticipantItem(
    string ContactId, string? Email, string? Company, DateTimeOffset EnrolledAt, ParticipantStatus Status, bool Succeeded,
    string? CurrentStepId, LastSendingItem? LastSending)
{
    public static ParticipantItem From(ParticipantSummary s) =>
        new(s.ContactId, s.Email, s.Company, s.EnrolledAt, s.Status, s.Succeeded, s.CurrentStepId, LastSendingItem.From(s.LastSending));
}

public sealed record ParticipantList(IReadOnlyList<ParticipantItem> Items, string? NextCursor);

public sealed record ParticipantDetailResponse(
    string FlowId, string ContactId, string? Email, string? Company, DateTimeOffset EnrolledAt, ParticipantStatus Status, bool Succeeded,
    string? CurrentStepId, LastSendingItem? LastSending, int Version, DateTimeOffset? WakeAt, string? ExitReason,
    IReadOnlyList<HistoryEntry> History)
{
    public static ParticipantDetailResponse From(ParticipantDetail d) => new(
        d.Summary.FlowId, d.Summary.ContactId, d.Summary.Email, d.Summary.Company, d.Summary.EnrolledAt, d.Summary.Status, d.Summary.Succeeded,
        d.Summary.CurrentStepId, LastSendingItem.From(d.Summary.LastSending), d.Version, d.WakeAt, d.ExitReason, d.History);
}
