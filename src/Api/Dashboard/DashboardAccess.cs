using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Orleans.Dashboard;
using Orleans.Flows.Api.Auth;
using Orleans.Flows.Silo;

namespace Orleans.Flows.Api.Dashboard;

/// <summary>
/// The Orleans dashboard at <c>/dashboard</c>, for admins only. A browser cannot send <c>X-Api-Key</c> with every
/// page and script the dashboard loads, so a small sign-in page takes an admin key once and answers with an
/// <c>HttpOnly</c>, <c>SameSite=Strict</c> session cookie; only that cookie opens the dashboard.
/// </summary>
public static partial class DashboardAccess
{
    public const string Path = "/dashboard";
    public const string SignInPath = Path + "/signin";
    public const string SignOutPath = Path + "/signout";
    public const string CookieScheme = "DashboardCookie";
    public const string CookieName = "flows_dashboard";
    private const string Policy = "dashboard";

    /// <summary>How long a sign-in lasts without use.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);

    public static WebApplicationBuilder AddDashboardAccess(this WebApplicationBuilder builder)
    {
        if (!FlowsDashboardOptions.IsEnabled(builder.Configuration)) return builder;
        builder.Services.AddAuthentication().AddCookie(CookieScheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.Path = Path;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            // Secure whenever the dashboard is served over https; plain http stays usable on a developer's machine.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = SessionLifetime;
            o.SlidingExpiration = true;
            o.LoginPath = SignInPath;
            o.AccessDeniedPath = SignInPath;
            o.ReturnUrlParameter = "returnUrl";
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, p => p
            .AddAuthenticationSchemes(CookieScheme)
            .RequireRole(Roles.Admin));
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "flows_dashboard_antiforgery";
            o.Cookie.Path = Path;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__antiforgery";
        });
        return builder;
    }

    public static WebApplication MapDashboardAccess(this WebApplication app)
    {
        if (!FlowsDashboardOptions.IsEnabled(app.Configuration)) return app;
        app.UseAntiforgery();
        app.MapOrleansDashboard(Path).RequireAuthorization(Policy).ExcludeFromDescription();

        var signIn = app.MapGroup(Path).ExcludeFromDescription().AllowAnonymous();
        signIn.MapGet("/signin", ShowSignIn);
        signIn.MapPost("/signin", SignInAsync);
        signIn.MapPost("/signout", (Delegate)SignOutAsync);
        return app;
    }

    private static IResult ShowSignIn(HttpContext context, IAntiforgery antiforgery) =>
        SignInPage.Render(context, antiforgery, StatusCodes.Status200OK, message: null);

    private static async Task<IResult> SignInAsync(HttpContext context, [FromForm] string? key, ApiKeyRing keys, IAntiforgery antiforgery, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("Orleans.Flows.Api.Dashboard");
        var role = string.IsNullOrEmpty(key) ? null : keys.Find(key)?.Role;
        if (role != Roles.Admin)
        {
            // The key itself is never logged: a mistyped key is one character away from the real one.
            LogSignInRefused(logger, role ?? "none");
            var status = role is null ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden;
            return SignInPage.Render(context, antiforgery, status,
                role is null ? "That is not a key of this service." : "That key's role may not open the dashboard; it needs an admin key.");
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin), new Claim(ClaimTypes.Name, Roles.Admin)], CookieScheme);
        await context.SignInAsync(CookieScheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = false });
        LogSignedIn(logger);
        // Always to the dashboard itself, never to a caller-chosen address.
        return TypedResults.Redirect(Path + "/");
    }

    private static async Task<IResult> SignOutAsync(HttpContext context)
    {
        await context.SignOutAsync(CookieScheme);
        return TypedResults.Redirect(SignInPath);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "An admin signed in to the dashboard")]
    private static partial void LogSignedIn(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard sign-in refused: the key's role is {Role}")]
    private static partial void LogSignInRefused(ILogger logger, string role);
}
