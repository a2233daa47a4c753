using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Orleans.Flows.Api.OpenApi;

/// <summary>The document's title and introduction, its security scheme and what each tag groups.</summary>
public sealed class DocumentInfoTransformer : IOpenApiDocumentTransformer
{
    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Contacts"] = "The people flows reach: upserted one at a time or in batches, read with the flows they are in, erased.",
        ["Events"] = "What contacts do. Events trigger flows, end `waitForEvent` steps and meet success criteria.",
        ["Content"] = "Emails, SMS and push messages, personalised with Liquid (`{{ contact.firstName }}`); one content is reused by any number of flows.",
        ["Segments"] = "Static lists of contacts, or filters over contact fields whose members are the contacts that match now.",
        ["Flows"] = "Flow definitions, their versions and lifecycle (`draft → running ⇄ paused → ended`), and their statistics.",
        ["Participants"] = "Contacts in a flow: enrollment by id, the participant list, one participant's journey, removal.",
        ["Enrollments"] = "Enrollment jobs: a whole segment into a flow, in the background, with progress to watch.",
        ["Messages"] = "The message log: every message a step produced, in any channel, and what became of it.",
        ["Tracking"] = "The links in sent emails: open pixel, tracked clicks and unsubscribe. No API key: the signed token is the authority.",
        ["Operations"] = "Health probes for load balancers and orchestrators. No API key.",
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Orleans.Flows API",
            Version = "v1",
            Description =
                "A marketing-automation flow engine: contacts are enrolled into flows and travel through their steps " +
                "(send an email, SMS or push, wait, branch, wait for an event, update the contact, …).\n\n" +
                "JSON bodies are camelCase; timestamps ISO-8601 UTC; durations ISO-8601 (`PT30S`, `P2D`); ids are strings of " +
                "1–128 characters `[A-Za-z0-9._:@-]`. Every error is an RFC 7807 `application/problem+json` answer with " +
                "`status`, `title` and `detail`; a validation problem (400) adds `errors`, keyed by the JSON path of each problem " +
                "(`$.steps[0].next`) or by the name of the path or query parameter. Nothing is half-applied.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeySecurity.SchemeName] = ApiKeySecurity.Scheme();

        document.Tags ??= new HashSet<OpenApiTag>();
        foreach (var (name, description) in TagDescriptions)
        {
            if (document.Tags.FirstOrDefault(t => t.Name == name) is { } tag) tag.Description = description;
            else document.Tags.Add(new OpenApiTag { Name = name, Description = description });
        }
        return Task.CompletedTask;
    }
}
