using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Orleans.Flows.Api.OpenApi;

/// <summary>
/// Marks each operation that needs a key with the <c>X-Api-Key</c> requirement, the roles its policy allows (read from
/// the registered policies, so the document cannot disagree with them) and its 401 and 403 answers.
/// </summary>
public sealed class AccessOperationTransformer : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any()) return;
        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList();
        if (policies.Count == 0) return;

        var provider = context.ApplicationServices.GetRequiredService<IAuthorizationPolicyProvider>();
        var roles = new List<string>();
        foreach (var name in policies)
        {
            var policy = await provider.GetPolicyAsync(name);
            foreach (var requirement in policy?.Requirements.OfType<RolesAuthorizationRequirement>() ?? [])
                roles.AddRange(requirement.AllowedRoles.Except(roles));
        }

        operation.Security = [ApiKeySecurity.Requirement(context.Document!)];
        var allowed = "**Roles:** " + string.Join(", ", roles.Select(r => $"`{r}`")) + ".";
        operation.Description = string.IsNullOrEmpty(operation.Description) ? allowed : operation.Description + "\n\n" + allowed;
        // Machine-readable too, for generators and tests.
        operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        operation.Extensions["x-roles"] = new JsonNodeExtension(new System.Text.Json.Nodes.JsonArray([.. roles.Select(r => (System.Text.Json.Nodes.JsonNode?)r)]));

        await ProblemResponses.AddAsync(operation, context, StatusCodes.Status401Unauthorized);
        await ProblemResponses.AddAsync(operation, context, StatusCodes.Status403Forbidden);
    }
}
