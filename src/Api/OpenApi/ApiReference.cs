using Scalar.AspNetCore;

namespace Orleans.Flows.Api.OpenApi;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and the browsable reference on it at <c>/docs</c>.</summary>
public static class ApiReference
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string PagePath = "/docs";

    public static IServiceCollection AddApiReference(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer<DocumentInfoTransformer>();
            options.AddDocumentTransformer<OperationalEndpointsTransformer>();
            options.AddDocumentTransformer<ConditionSchema>();
            options.AddSchemaTransformer<ValueSchemaTransformer>();
            options.AddOperationTransformer<RouteSummaryTransformer>();
            options.AddOperationTransformer<PathParameterTransformer>();
            // Access first: it declares 401 and 403, which the problem transformer then describes.
            options.AddOperationTransformer<AccessOperationTransformer>();
            options.AddOperationTransformer<ProblemResponsesOperationTransformer>();
        });

    /// <summary>
    /// Maps both, without a key. The page is Scalar's, whose script is embedded in the Scalar.AspNetCore assembly and
    /// served by the app itself (<c>/docs/scalar.js</c>); only its default fonts come from Scalar's CDN, so they are
    /// turned off, as are its telemetry and its AI chat (which would send the document to Scalar's service). In development
    /// mode without configured keys, the page fills in the development key.
    /// </summary>
    public static WebApplication MapApiReference(this WebApplication app, bool developmentKey)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference(PagePath, options =>
        {
            options.WithTitle("Orleans.Flows API reference")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .DisableAgent()
                .AddPreferredSecuritySchemes(ApiKeySecurity.SchemeName)
                .AddApiKeyAuthentication(ApiKeySecurity.SchemeName, key =>
                {
                    if (developmentKey) key.Value = Auth.ApiKeyOptions.DevelopmentAdminKey;
                });
            options.DefaultFonts = false;
            options.Telemetry = false;
            options.PersistentAuthentication = true;
        }).AllowAnonymous();
        return app;
    }
}
