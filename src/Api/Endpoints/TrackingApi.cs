using System.Net;
using Orleans.Flows.Api.Http;
using Orleans.Flows.Api.OpenApi;
using Orleans.Flows.Contacts;
using Orleans.Flows.Delivery;

namespace Orleans.Flows.Api.Endpoints;

/// <summary>
/// The links in sent emails: the open pixel, tracked clicks and the unsubscribe page. No API key: the signed token
/// is the authority, and a forged or altered one gets 404 and records nothing.
/// </summary>
public static class TrackingApi
{
    // The smallest transparent GIF.
    private static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    public static IEndpointRouteBuilder MapTracking(this IEndpointRouteBuilder app)
    {
        var tracking = app.MapGroup("").WithTags("Tracking").AllowAnonymous();
        tracking.MapGet("/t/o/{token}", Open)
            .WithSummary("Open pixel")
            .WithDescription("A 1×1 transparent GIF, not cached; records `email.opened`.")
            .Produces(StatusCodes.Status200OK, contentType: "image/gif")
            .ProducesProblem(StatusCodes.Status404NotFound);
        tracking.MapGet("/t/c/{token}", Click)
            .WithSummary("Tracked click")
            .WithDescription("Redirects to the original url and records `link.clicked` with `properties.url`.")
            .Produces(StatusCodes.Status302Found)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithLocationHeader(StatusCodes.Status302Found, "The original url of the link.");
        tracking.MapGet("/u/{token}", ConfirmUnsubscribe)
            .WithSummary("Unsubscribe page")
            .WithDescription("A confirmation page with an Unsubscribe button; changes nothing.")
            .Produces(StatusCodes.Status200OK, contentType: "text/html")
            .ProducesProblem(StatusCodes.Status404NotFound);
        tracking.MapPost("/u/{token}", Unsubscribe).DisableAntiforgery()
            .WithSummary("Unsubscribe")
            .WithDescription("Withdraws the contact's email consent and records `unsubscribed`; answers a page. Accepts RFC 8058's one-click body " +
                             "`List-Unsubscribe=One-Click` without cookies or anti-forgery token: the signed token is the authority.")
            .WithFormRequestBody("The one-click body (optional: the page's button posts the same).", RequestExamples.OneClickUnsubscribe)
            .Produces(StatusCodes.Status200OK, contentType: "text/html")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<IResult> Open(string token, TrackingTokens tokens, IGrainFactory grains, TimeProvider time, HttpContext context)
    {
        if (!tokens.TryRead(token, TrackingKind.Open, out var claim)) return NotFound();
        await RecordAsync(grains, claim, time);
        context.Response.Headers.CacheControl = "no-store, no-cache, must-revalidate";
        return TypedResults.File(Pixel, "image/gif");
    }

    public static async Task<IResult> Click(string token, TrackingTokens tokens, IGrainFactory grains, TimeProvider time)
    {
        if (!tokens.TryRead(token, TrackingKind.Click, out var claim) || claim.Url is null) return NotFound();
        await RecordAsync(grains, claim, time);
        return TypedResults.Redirect(claim.Url);
    }

    public static IResult ConfirmUnsubscribe(string token, TrackingTokens tokens)
    {
        if (!tokens.TryRead(token, TrackingKind.Unsubscribe, out _)) return NotFound();
        return Page("Unsubscribe", $"""
            <p>Do you want to stop receiving these emails?</p>
            <form method="post" action="/u/{WebUtility.HtmlEncode(token)}">
              <input type="hidden" name="List-Unsubscribe" value="One-Click">
              <button type="submit">Unsubscribe</button>
            </form>
            """);
    }

    /// <summary>Also RFC 8058's one-click POST (body <c>List-Unsubscribe=One-Click</c>): no cookie or anti-forgery token is needed.</summary>
    public static async Task<IResult> Unsubscribe(string token, TrackingTokens tokens, IGrainFactory grains, TimeProvider time)
    {
        if (!tokens.TryRead(token, TrackingKind.Unsubscribe, out var claim)) return NotFound();
        await RecordAsync(grains, claim, time);
        return Page("Unsubscribed", "<p>You are unsubscribed and will receive no more of these emails.</p>");
    }

    /// <summary>Records the event on its contact, which withdraws consent for an unsubscribe; an erased contact records nothing.</summary>
    private static async Task RecordAsync(IGrainFactory grains, TrackingClaim claim, TimeProvider time)
    {
        var contact = grains.GetGrain<IContactGrain>(claim.ContactId);
        if (await contact.GetAsync() is null) return;
        await contact.RecordEventsAsync([TrackingEvents.For(claim, time.GetUtcNow())]);
    }

    private static IResult NotFound() => Problems.NotFound("This link is not valid.");

    private static IResult Page(string title, string body) => TypedResults.Content($"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{title}</title></head>
        <body style="font-family: sans-serif; max-width: 32rem; margin: 3rem auto;"><h1>{title}</h1>{body}</body></html>
        """, "text/html; charset=utf-8");
}
