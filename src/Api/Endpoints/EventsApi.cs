using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Flows.Api.Auth;
using Orleans.Flows.Api.Http;
using Orleans.Flows.Api.OpenApi;
using Orleans.Flows.Contacts;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Values;

namespace Orleans.Flows.Api.Endpoints;

public static class EventsApi
{
    public const int MaxBatch = InputLimits.MaxBatch;
    public const int MaxTypeLength = 128;
    public const int MaxProperties = 100;

    public static RouteGroupBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/events").WithTags("Events");
        group.MapPost("/", PostEvents).RequireAuthorization(Policies.Ingest).Accepts<EventBatchBody>("application/json")
            .WithSummary("Record events")
            .WithDescription($"1–{MaxBatch} events of any type (`form.submitted`, `link.clicked`, `sale.created`, … or your own). `id` is the " +
                             "idempotency key, per contact: a repeated id is counted in `duplicates` and changes nothing. `occurredAt` defaults to now " +
                             "and may not be more than 5 minutes ahead. The batch is accepted whole or not at all: one invalid event is a 400 naming it. " +
                             "Each event reaches the contact's participants and enrolls the contact into every running flow whose trigger it meets.")
            .WithRequestExample("events", "A form submission and a sale", RequestExamples.EventBatch)
            .WithResponseExample(202, "accepted", "Both recorded", ResponseExamples.EventBatch)
            .WithResponseExample(400, "invalid-events", "Two events refused; nothing recorded", ProblemExamples.InvalidEvents);
        return group;
    }

    /// <summary>
    /// Accepts a batch whole or not at all: one invalid event makes it a 400 naming each problem, and nothing
    /// is recorded. <c>id</c> is the idempotency key: a repeat counts as a duplicate and changes nothing.
    /// </summary>
    public static async Task<Results<Accepted<EventBatchResponse>, ValidationProblem>> PostEvents(HttpRequest request, IGrainFactory grains, TimeProvider time)
    {
        var (root, problem) = await JsonBody.ReadElementAsync(request);
        if (problem is not null) return problem;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("events", out var list) || list.ValueKind != JsonValueKind.Array)
            return Problems.Invalid("$.events", "must be an array of events");
        if (list.GetArrayLength() is 0 or > MaxBatch) return Problems.Invalid("$.events", $"must hold 1-{MaxBatch} events");

        var now = time.GetUtcNow();
        var errors = new ValidationErrors();
        var events = ImmutableArray.CreateBuilder<IncomingEvent>(list.GetArrayLength());
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (Read(item, $"$.events[{index}]", now, errors) is { } e) events.Add(e);
            index++;
        }
        if (!errors.IsEmpty) return Problems.Invalid(errors.ToImmutable().ToDictionary(e => e.Key, e => e.Value), "No event was recorded.");

        var result = await grains.GetGrain<IEventIngestGrain>(0).IngestAsync(events.ToImmutable());
        return TypedResults.Accepted((string?)null, new EventBatchResponse(result.Accepted, result.Duplicates));
    }

    private static IncomingEvent? Read(JsonElement item, string path, DateTimeOffset now, ValidationErrors errors)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "must be an event object");
            return null;
        }
        var id = String(item, "id");
        var contactId = String(item, "contactId");
        var type = String(item, "type");
        if (!Ids.IsValid(id)) errors.Add($"{path}.id", Ids.Rule);
        if (!Ids.IsValid(contactId)) errors.Add($"{path}.contactId", Ids.Rule);
        if (type is not { Length: > 0 and <= MaxTypeLength } || type.Any(char.IsWhiteSpace)) errors.Add($"{path}.type", $"must be an event type of 1-{MaxTypeLength} characters without spaces");

        var occurredAt = now;
        if (item.TryGetProperty("occurredAt", out var at) && at.ValueKind != JsonValueKind.Null)
        {
            if (at.ValueKind != JsonValueKind.String ||
                !DateTimeOffset.TryParse(at.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out occurredAt))
                errors.Add($"{path}.occurredAt", "must be an ISO-8601 timestamp");
            else if (occurredAt > now + TimeSpan.FromMinutes(5))
                errors.Add($"{path}.occurredAt", "may not be in the future");
        }

        var properties = ImmutableSortedDictionary<string, FieldValue>.Empty;
        if (item.TryGetProperty("properties", out var props) && props.ValueKind != JsonValueKind.Null)
        {
            if (props.ValueKind != JsonValueKind.Object) errors.Add($"{path}.properties", "must be an object");
            else properties = JsonFields.ReadValues(props, $"{path}.properties", errors, n => n.Length is > 0 and <= Ids.MaxLength, "must be 1-128 characters", MaxProperties);
        }
        if (!Ids.IsValid(id) || !Ids.IsValid(contactId) || type is null) return null;
        return new IncomingEvent(contactId!, new ContactEvent
        {
            Id = id!,
            Type = type,
            OccurredAt = occurredAt.ToUniversalTime(),
            Properties = properties,
        });
    }

    private static string? String(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

public sealed record EventBody(string Id, string ContactId, string Type, DateTimeOffset? OccurredAt = null, Dictionary<string, FieldValue>? Properties = null);

public sealed record EventBatchBody(EventBody[] Events);

public sealed record EventBatchResponse(int Accepted, int Duplicates);
