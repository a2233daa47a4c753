using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Flows.Api.Auth;
using Orleans.Flows.Api.Http;
using Orleans.Flows.Api.OpenApi;
using Orleans.Flows.Api.OpenApi.Schemas;
using Orleans.Flows.Contacts;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Values;

namespace Orleans.Flows.Api.Endpoints;

public static class ContactsApi
{
    public const int MaxBatch = InputLimits.MaxBatch;

    public static RouteGroupBuilder MapContacts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/contacts").WithTags("Contacts");
        group.MapPut("/{id}", PutContact).RequireAuthorization(Policies.Ingest).Accepts<ContactBody>("application/json")
            .WithSummary("Create or update a contact")
            .WithDescription("An upsert that merges: a field left out is kept, a field set to `null` is cleared, `attributes` merge by key. " +
                             "Consent a client never set counts as granted; send `\"consent\": {\"email\": false}` to withhold. " +
                             "Records the event `contact.created` or `contact.updated`, which flows may trigger on.")
            .WithRequestExample("contact", "A new contact", RequestExamples.Contact)
            .WithRequestExample("change", "Change a field, clear another, merge an attribute", RequestExamples.ContactChange)
            .WithResponseExample(200, "contact", "The contact as stored", ResponseExamples.Contact);
        group.MapPost("/batch", PostBatch).RequireAuthorization(Policies.Ingest).Accepts<ContactBatchBody>("application/json")
            .WithSummary("Upsert many contacts")
            .WithDescription($"Up to {MaxBatch} contacts, each upserted as by `PUT /v1/contacts/{{id}}`. An invalid contact does not stop the others: " +
                             "it is listed in `errors` with its index and the problems, and the rest are upserted.")
            .WithRequestExample("batch", "Two contacts", RequestExamples.ContactBatch)
            .WithResponseExample(200, "partly", "One upserted, one refused", ResponseExamples.ContactBatch);
        group.MapGet("/{id}", GetContact).RequireAuthorization(Policies.Read)
            .WithSummary("Get a contact")
            .WithDescription("The contact with `flows`: each flow it is or was in, with its status and current step there.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithResponseExample(200, "contact", "A contact waiting in one flow", ResponseExamples.Contact);
        group.MapDelete("/{id}", DeleteContact).RequireAuthorization(Policies.Ingest)
            .WithSummary("Erase a contact")
            .WithDescription("The contact leaves every flow and its data is erased.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static async Task<Results<Ok<ContactResponse>, ValidationProblem>> PutContact(string id, HttpRequest request, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", Ids.Rule);
        var (root, problem) = await JsonBody.ReadElementAsync(request);
        if (problem is not null) return problem;
        var errors = new ValidationErrors();
        var change = ContactReader.Read(root, "$", errors);
        if (!errors.IsEmpty) return Problems.Invalid(errors.ToImmutable().ToDictionary());
        var result = await grains.GetGrain<IContactGrain>(id).UpsertAsync(change!);
        return TypedResults.Ok(ContactResponse.From(result.Contact, null));
    }

    public static async Task<Results<Ok<ContactBatchResponse>, ValidationProblem>> PostBatch(HttpRequest request, IGrainFactory grains)
    {
        var (root, problem) = await JsonBody.ReadElementAsync(request);
        if (problem is not null) return problem;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("contacts", out var list) || list.ValueKind != JsonValueKind.Array)
            return Problems.Invalid("$.contacts", "must be an array of contacts");
        var count = list.GetArrayLength();
        if (count > MaxBatch) return Problems.Invalid("$.contacts", $"must hold at most {MaxBatch} contacts");

        var valid = ImmutableArray.CreateBuilder<ContactUpsert>(count);
        var rejected = new List<ContactBatchError>();
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var errors = new ValidationErrors();
            var path = $"$.contacts[{index}]";
            var id = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
            if (!Ids.IsValid(id)) errors.Add($"{path}.id", Ids.Rule);
            var change = ContactReader.Read(item, path, errors);
            if (errors.IsEmpty) valid.Add(new ContactUpsert(id!, change!));
            else rejected.Add(new ContactBatchError(index, errors.ToImmutable().ToDictionary()));
            index++;
        }
        var upserted = valid.Count == 0 ? 0 : await grains.GetGrain<IContactImportGrain>(0).UpsertAsync(valid.ToImmutable());
        return TypedResults.Ok(new ContactBatchResponse(upserted, rejected));
    }

    public static async Task<Results<Ok<ContactResponse>, ProblemHttpResult, ValidationProblem>> GetContact(string id, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", Ids.Rule);
        var grain = grains.GetGrain<IContactGrain>(id);
        var contact = await grain.GetAsync();
        if (contact is null) return Problems.NotFound($"Contact '{id}' does not exist.");
        var flows = await grain.GetFlowsAsync();
        return TypedResults.Ok(ContactResponse.From(contact, flows));
    }

    public static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> DeleteContact(string id, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", Ids.Rule);
        var erased = await grains.GetGrain<IContactGrain>(id).EraseAsync();
        return erased ? TypedResults.NoContent() : Problems.NotFound($"Contact '{id}' does not exist.");
    }

    private static Dictionary<string, string[]> ToDictionary(this ImmutableSortedDictionary<string, string[]> errors) =>
        errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
}

/// <summary>The body of <c>PUT /v1/contacts/{id}</c>, for the OpenAPI document; it is read by <see cref="ContactReader"/>.</summary>
public sealed record ContactBody(
    string? Email = null, string? Phone = null, string? PushToken = null, string? FirstName = null, string? LastName = null, string? Company = null,
    string? TimeZone = null, Dictionary<string, FieldValue>? Attributes = null, string[]? Tags = null, ConsentBody? Consent = null);

public sealed record ConsentBody(bool? Email = null, bool? Sms = null, bool? Push = null);

public sealed record ContactBatchBody(ContactBatchItem[] Contacts);

public sealed record ContactBatchError(int Index, IDictionary<string, string[]> Errors);

public sealed record ContactBatchResponse(int Upserted, IReadOnlyList<ContactBatchError> Errors);

public sealed record ContactResponse(
    string Id, string? Email, string? Phone, string? PushToken, string? FirstName, string? LastName, string? Company, string? TimeZone,
    IReadOnlyDictionary<string, FieldValue> Attributes, IReadOnlyList<string> Tags, Consent Consent,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<ContactFlow>? Flows)
{
    public static ContactResponse From(Contact c, IReadOnlyList<ContactFlow>? flows) =>
        new(c.Id, c.Email, c.Phone, c.PushToken, c.FirstName, c.LastName, c.Company, c.TimeZone,
            c.Attributes, c.Tags, c.Consent, c.CreatedAt, c.UpdatedAt, flows);
}
