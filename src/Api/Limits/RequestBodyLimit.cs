using Microsoft.AspNetCore.Http.Features;
using Orleans.Flows.Api.Http;

namespace Orleans.Flows.Api.Limits;

/// <summary>
/// <c>Api:MaxBodyBytes</c> for every server, not only Kestrel: a declared <c>Content-Length</c> over the limit is
/// answered 413 before the body is read, and a body without one (chunked) is counted as it is read and stops with a
/// 413 <see cref="BadHttpRequestException"/> at the first byte over. Where the server enforces
/// <see cref="IHttpMaxRequestBodySizeFeature"/> it is set too, so it stops such a body itself.
/// </summary>
public sealed class RequestBodyLimit(RequestDelegate next, long maxBytes)
{
    public const string ConfigurationKey = "Api:MaxBodyBytes";
    public const long DefaultMaxBytes = 16 * 1024 * 1024;

    public static long MaxBytes(IConfiguration configuration)
    {
        var configured = configuration.GetValue<long?>(ConfigurationKey) ?? DefaultMaxBytes;
        return configured > 0 ? configured : throw new InvalidOperationException($"{ConfigurationKey} must be a positive number of bytes.");
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentLength > maxBytes)
        {
            await Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Request body too large",
                $"The body may be at most {maxBytes} bytes; this one declares {context.Request.ContentLength}.");
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = maxBytes;
        if (context.Request.ContentLength is null)
            context.Request.Body = new BodyLengthLimitStream(context.Request.Body, maxBytes);
        await next(context);
    }
}
