using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Flows.Api.Auth;
using Orleans.Flows.Api.Dashboard;
using Orleans.Flows.Api.Endpoints;
using Orleans.Flows.Api.Hosting;
using Orleans.Flows.Api.Http;
using Orleans.Flows.Api.Limits;
using Orleans.Flows.Api.OpenApi;
using Orleans.Flows.Delivery;
using Orleans.Flows.Flows;
using Orleans.Flows.Silo.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

var builder = WebApplication.CreateBuilder(args);
var developmentMode = Orleans.Flows.Silo.FlowsSilo.IsDevelopmentMode(builder.Configuration);

builder.AddFlowsOrleans(developmentMode);
builder.AddFlowsTelemetry("orleans-flows-api")
    .WithTracing(tracing => tracing.AddAspNetCoreInstrumentation(o => o.Filter = TelemetryEndpoints.IsTraced))
    .WithMetrics(metrics => metrics.AddAspNetCoreInstrumentation().AddPrometheusExporter());
// The API reads the tokens of tracked links; in client mode no silo of this process registers them.
builder.Services.AddTracking(builder.Configuration, developmentMode);

// Responses carry every field, null or not; flow definitions themselves are written without nulls.
builder.Services.ConfigureHttpJsonOptions(o => FlowJson.Configure(o.SerializerOptions).DefaultIgnoreCondition = JsonIgnoreCondition.Never);
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
builder.Services.AddApiReference();
builder.Services.TryAddSingleton(TimeProvider.System);
var health = builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("orleans", tags: ["ready"]);
if (!developmentMode)
{
    var connectionString = builder.Configuration.GetConnectionString(Orleans.Flows.Silo.FlowsSilo.ConnectionStringName)!;
    health.AddCheck("postgresql", new PostgreSqlHealthCheck(connectionString), tags: ["ready"]);
    builder.Services.AddSharedDataProtection(connectionString);
}
builder.Services.AddSingleton(sp => ApiKeySetup.CreateRing(builder.Configuration, developmentMode, sp.GetRequiredService<ILoggerFactory>()));
builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
builder.Services.AddAuthorizationBuilder()
    .AddPolicy(Policies.Read, p => p.RequireRole(Roles.Admin, Roles.Editor))
    .AddPolicy(Policies.EditContent, p => p.RequireRole(Roles.Admin, Roles.Editor))
    .AddPolicy(Policies.Ingest, p => p.RequireRole(Roles.Admin, Roles.Ingest))
    .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin));
builder.AddDashboardAccess();
builder.Services.AddApiRateLimits(ApiRateLimits.PerKeyPerSecond(builder.Configuration, developmentMode));
var maxBodyBytes = RequestBodyLimit.MaxBytes(builder.Configuration);
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = maxBodyBytes);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
// After authentication, so the limiter knows the key; before authorization, so a key's refused calls count too.
app.UseRateLimiter();
app.UseAuthorization();
// After authorization: a caller without a key or role hears 401 or 403 before anything about its body.
app.UseMiddleware<RequestBodyLimit>(maxBodyBytes);
app.UseMiddleware<JsonContentType>();

// The reference page fills in the development key only where it works: development mode without configured keys.
app.MapApiReference(developmentKey: developmentMode && app.Services.GetRequiredService<ApiKeyRing>().Find(ApiKeyOptions.DevelopmentAdminKey) is not null);
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
// Anonymous like /health/*: Prometheus scrapers send no key. Operators keep the port on the internal network (README, Telemetry).
app.MapPrometheusScrapingEndpoint(TelemetryEndpoints.MetricsPath);
// The keyed API, limited per key; tracking, health and the OpenAPI document are not.
var v1 = app.MapGroup("").RequireRateLimiting(ApiRateLimits.PolicyName);
v1.MapContacts();
v1.MapContent();
v1.MapFlows();
v1.MapParticipants();
v1.MapEnrollments();
v1.MapEvents();
v1.MapSegments();
v1.MapMessages();
app.MapTracking();
app.MapDashboardAccess();

// Resolve the keys now, so a configuration error stops the start and the development key is announced at once.
app.Services.GetRequiredService<ApiKeyRing>();

if (!developmentMode)
{
    app.Logger.LogInformation("Orleans.Flows runs in durable mode ({Mode}): state, reminders and membership in PostgreSQL",
        builder.Configuration["Api:Mode"] ?? "cohost");
}
else
{
    app.Logger.LogWarning(
        "Orleans.Flows runs in development mode: one process hosts the silo and the API, with in-memory grain state and reminders. " +
        "All flows, contacts and participants are lost when this process exits. Messages go to the channels configured (Smtp:*, Sms:*, Push:*, Crm:*); the others are only recorded in the message log.");
}

app.Run();

/// <summary>The entry point, visible to tests through WebApplicationFactory.</summary>
public partial class Program;
