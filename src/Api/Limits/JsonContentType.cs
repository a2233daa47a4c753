using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;
using Orleans.Flows.Api.Http;

namespace Orleans.Flows.Api.Limits;

/// <summary>
/// The endpoints that read a JSON body (they declare it with <c>Accepts</c>) refuse a body sent as another media type
/// with 415, rather than parsing a form or a file as JSON. A body without a <c>Content-Type</c> is read as JSON.
/// </summary>
public sealed class JsonContentType(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var accepts = context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>();
        var declared = context.Request.ContentType;
        // Only endpoints that take JSON; the dashboard's sign-in form, for one, takes a form.
        if (accepts is null || !accepts.ContentTypes.Any(IsJson) || string.IsNullOrEmpty(declared) || IsJson(declared))
        {
            await next(context);
            return;
        }
        await Problems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the body as application/json.");
    }

    private static bool IsJson(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) &&
        (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
         media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
}
