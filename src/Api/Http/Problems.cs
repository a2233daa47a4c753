using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Api.Http;

/// <summary>RFC 7807 answers with the wording the API uses.</summary>
public static class Problems
{
    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string detail = "The request is not valid.") =>
        TypedResults.ValidationProblem(errors, detail: detail, title: "One or more fields are not valid.");

    public static ValidationProblem Invalid(string path, string message) =>
        Invalid(new Dictionary<string, string[]> { [path] = [message] });

    /// <summary>
    /// Answers with a problem from middleware and handlers that run outside an endpoint (authentication, limits),
    /// where no <see cref="IResult"/> is returned.
    /// </summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict with the current state");

    /// <summary>Maps a flow command that did not succeed.</summary>
    public static IResult FromFlowCommand(FlowCommandResult result) => result.Error switch
    {
        FlowCommandError.NotFound => NotFound(result.Detail ?? "The flow does not exist."),
        FlowCommandError.Conflict => Conflict(result.Detail ?? "The flow's state does not allow this."),
        FlowCommandError.Invalid => Invalid(result.Errors.ToDictionary(), result.Detail ?? "The flow definition is not valid."),
        _ => TypedResults.Problem("Unexpected flow command result.", statusCode: 500),
    };

    private static Dictionary<string, string[]> ToDictionary(this ImmutableSortedDictionary<string, string[]> errors) =>
        errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
}
