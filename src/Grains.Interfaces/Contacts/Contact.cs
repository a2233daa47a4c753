using System.Collections.Immutable;
using Orleans.Flows.Values;

namespace Orleans.Flows.Contacts;

/// <summary>A person the flows talk to.</summary>
[GenerateSerializer, Immutable, Alias("flows.Contact")]
public sealed record Contact
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public string? Email { get; init; }
    [Id(2)] public string? Phone { get; init; }
    [Id(3)] public string? PushToken { get; init; }
    [Id(4)] public string? FirstName { get; init; }
    [Id(5)] public string? LastName { get; init; }
    [Id(6)] public string? Company { get; init; }
    [Id(7)] public string? TimeZone { get; init; }
    [Id(8)] public ImmutableSortedDictionary<string, FieldValue> Attributes { get; init; } = ImmutableSortedDictionary<string, FieldValue>.Empty;
    [Id(9)] public ImmutableArray<string> Tags { get; init; } = [];
    [Id(10)] public Consent Consent { get; init; } = Consent.Granted;
    [Id(11)] public DateTimeOffset CreatedAt { get; init; }
    [Id(12)] public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Marketing consent per channel. A flag that a client never set counts as granted.</summary>
[GenerateSerializer, Immutable, Alias("flows.Consent")]
public sealed record Consent
{
    public static readonly Consent Granted = new();

    [Id(0)] public bool Email { get; init; } = true;
    [Id(1)] public bool Sms { get; init; } = true;
    [Id(2)] public bool Push { get; init; } = true;
}

/// <summary>Something a contact did or that happened to it.</summary>
[GenerateSerializer, Immutable, Alias("flows.ContactEvent")]
public sealed record ContactEvent
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Type { get; init; }
    [Id(2)] public DateTimeOffset OccurredAt { get; init; }
    [Id(3)] public ImmutableSortedDictionary<string, FieldValue> Properties { get; init; } = ImmutableSortedDictionary<string, FieldValue>.Empty;
}

/// <summary>
/// A change to a contact as a client sends it: a field that is null here was absent from the request and is
/// kept; <see cref="Clear"/> names the fields the request set to null.
/// </summary>
[GenerateSerializer, Immutable, Alias("flows.ContactChange")]
public sealed record ContactChange
{
    [Id(0)] public string? Email { get; init; }
    [Id(1)] public string? Phone { get; init; }
    [Id(2)] public string? PushToken { get; init; }
    [Id(3)] public string? FirstName { get; init; }
    [Id(4)] public string? LastName { get; init; }
    [Id(5)] public string? Company { get; init; }
    [Id(6)] public string? TimeZone { get; init; }
    [Id(7)] public ImmutableSortedDictionary<string, FieldValue>? Attributes { get; init; }
    [Id(8)] public ImmutableArray<string>? Tags { get; init; }
    [Id(9)] public bool? EmailConsent { get; init; }
    [Id(10)] public bool? SmsConsent { get; init; }
    [Id(11)] public bool? PushConsent { get; init; }
    [Id(12)] public ImmutableHashSet<string> Clear { get; init; } = [];
}

/// <summary>What a flow's <c>updateContact</c> step does to a contact.</summary>
[GenerateSerializer, Immutable, Alias("flows.ContactUpdate")]
public sealed record ContactUpdate
{
    [Id(0)] public ImmutableSortedDictionary<string, FieldValue> SetAttributes { get; init; } = ImmutableSortedDictionary<string, FieldValue>.Empty;
    [Id(1)] public ImmutableSortedDictionary<string, double> IncrementAttributes { get; init; } = ImmutableSortedDictionary<string, double>.Empty;
    [Id(2)] public ImmutableArray<string> AddTags { get; init; } = [];
    [Id(3)] public ImmutableArray<string> RemoveTags { get; init; } = [];

    /// <summary>Applies the update; pure so that the interpreter sees the result within the same run.</summary>
    public Contact ApplyTo(Contact contact, DateTimeOffset now)
    {
        var attributes = contact.Attributes.SetItems(SetAttributes);
        foreach (var (key, delta) in IncrementAttributes)
        {
            var current = attributes.TryGetValue(key, out var value) ? value.AsNumber() ?? 0 : 0;
            attributes = attributes.SetItem(key, FieldValue.Of(current + delta));
        }
        var tags = contact.Tags.Except(RemoveTags, StringComparer.Ordinal).Concat(AddTags).Distinct(StringComparer.Ordinal);
        return contact with { Attributes = attributes, Tags = [.. tags], UpdatedAt = now };
    }
}

/// <summary>Where a contact stands in one flow, for <c>GET /v1/contacts/{id}</c>.</summary>
[GenerateSerializer, Immutable, Alias("flows.ContactFlow")]
public sealed record ContactFlow(
    [property: Id(0)] string FlowId,
    [property: Id(1)] string Status,
    [property: Id(2)] string? CurrentStepId);

public enum UpsertOutcome { Created, Updated }

[GenerateSerializer, Immutable, Alias("flows.ContactUpsertResult")]
public sealed record ContactUpsertResult([property: Id(0)] Contact Contact, [property: Id(1)] UpsertOutcome Outcome);

/// <summary>One contact of a batch upsert.</summary>
[GenerateSerializer, Immutable, Alias("flows.ContactUpsert")]
public sealed record ContactUpsert([property: Id(0)] string Id, [property: Id(1)] ContactChange Change);
