using System.ComponentModel;
using System.Text.Json;
using Orleans.Flows.Api.Endpoints;

namespace Orleans.Flows.Api.OpenApi.Schemas;

/// <summary>One contact of <c>POST /v1/contacts/batch</c>: a <see cref="ContactBody"/> with its <c>id</c>. Only for the document.</summary>
public sealed record ContactBatchItem
{
    [Description("The contact's id: 1–128 characters of `A-Z a-z 0-9 . _ : @ -`.")]
    public required string Id { get; init; }

    public string? Email { get; init; }
    public string? Phone { get; init; }
    public string? PushToken { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Company { get; init; }
    public string? TimeZone { get; init; }
    public Dictionary<string, JsonElement>? Attributes { get; init; }
    public string[]? Tags { get; init; }
    public ConsentBody? Consent { get; init; }
}
