using Microsoft.OpenApi;
using Orleans.Flows.Api.Auth;

namespace Orleans.Flows.Api.OpenApi;

/// <summary>The one security scheme of the API: a key in the <c>X-Api-Key</c> header.</summary>
public static class ApiKeySecurity
{
    /// <summary>The scheme's name in <c>components.securitySchemes</c>, which the reference page selects too.</summary>
    public const string SchemeName = "ApiKey";

    public static OpenApiSecurityScheme Scheme() => new()
    {
        Type = SecuritySchemeType.ApiKey,
        In = ParameterLocation.Header,
        Name = ApiKeyAuthenticationHandler.HeaderName,
        Description =
            "Every `/v1` call needs a key in the `X-Api-Key` header. Keys and their roles come from configuration " +
            "(`Api:Keys:{n}:Key`, `Api:Keys:{n}:Role`); in development mode without configured keys, `dev-admin-key` is an admin key. " +
            "Roles: `admin` may do everything; `editor` reads flows, statistics, participants, contacts, segments and messages, " +
            "and creates and edits content; `ingest` writes contacts and events. No or an unknown key is answered with 401, " +
            "a role that may not make the call with 403.",
    };

    public static OpenApiSecurityRequirement Requirement(OpenApiDocument document) => new()
    {
        [new OpenApiSecuritySchemeReference(SchemeName, document)] = [],
    };
}
