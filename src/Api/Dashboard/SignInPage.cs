using System.Net;
using Microsoft.AspNetCore.Antiforgery;

namespace Orleans.Flows.Api.Dashboard;

/// <summary>The dashboard's sign-in form: one password field for an admin key, nothing loaded from elsewhere.</summary>
internal static class SignInPage
{
    public static IResult Render(HttpContext context, IAntiforgery antiforgery, int status, string? message)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
        headers.XFrameOptions = "DENY";
        var error = message is null ? "" : $"""<p class="error" role="alert">{WebUtility.HtmlEncode(message)}</p>""";
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Orleans.Flows dashboard: sign in</title>
            <style>
            body { font-family: system-ui, sans-serif; max-width: 26rem; margin: 4rem auto; padding: 0 1rem; color: #222; }
            label, input, button { display: block; width: 100%; box-sizing: border-box; }
            input { margin: .4rem 0 1rem; padding: .5rem; font-size: 1rem; }
            button { padding: .5rem; font-size: 1rem; cursor: pointer; }
            .error { color: #a00; }
            </style>
            </head>
            <body>
            <h1>Orleans.Flows dashboard</h1>
            <p>Sign in with an admin API key. The key is checked once; this browser then keeps a session cookie for up to {{(int)DashboardAccess.SessionLifetime.TotalHours}} hours of use.</p>
            {{error}}
            <form method="post" action="{{DashboardAccess.SignInPath}}">
            <input type="hidden" name="{{WebUtility.HtmlEncode(tokens.FormFieldName)}}" value="{{WebUtility.HtmlEncode(tokens.RequestToken)}}">
            <label for="key">Admin API key</label>
            <input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
            <button type="submit">Sign in</button>
            </form>
            </body>
            </html>
            """;
        return TypedResults.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
