namespace Orleans.Flows.Content;

/// <summary>A channel a message goes out on. JSON names are camelCase, as for every enum here.</summary>
public enum Channel { Email, Sms, Push }

/// <summary>A reusable message: an email, an SMS or a push notification, personalised with Liquid.</summary>
[GenerateSerializer, Immutable, Alias("flows.ContentItem")]
public sealed record ContentItem
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required Channel Channel { get; init; }
    [Id(2)] public required string Name { get; init; }
    /// <summary>Email subject.</summary>
    [Id(3)] public string? Subject { get; init; }
    /// <summary>Email html body.</summary>
    [Id(4)] public string? Html { get; init; }
    /// <summary>Email plain-text body, or the SMS text.</summary>
    [Id(5)] public string? Text { get; init; }
    /// <summary>Email sender.</summary>
    [Id(6)] public string? From { get; init; }
    /// <summary>Push title.</summary>
    [Id(7)] public string? Title { get; init; }
    /// <summary>Push body.</summary>
    [Id(8)] public string? Body { get; init; }
    /// <summary>Push target url.</summary>
    [Id(9)] public string? Url { get; init; }
    [Id(10)] public DateTimeOffset CreatedAt { get; init; }
    [Id(11)] public DateTimeOffset UpdatedAt { get; init; }
}

[GenerateSerializer, Immutable, Alias("flows.ContentSummary")]
public sealed record ContentSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] Channel Channel,
    [property: Id(2)] string Name,
    [property: Id(3)] DateTimeOffset UpdatedAt);

[GenerateSerializer, Immutable, Alias("flows.ContentPutResult")]
public sealed record ContentPutResult
{
    [Id(0)] public ContentItem? Item { get; init; }
    /// <summary>Validation errors by JSON path; nothing was saved when there are any.</summary>
    [Id(1)] public System.Collections.Immutable.ImmutableSortedDictionary<string, string[]> Errors { get; init; } =
        System.Collections.Immutable.ImmutableSortedDictionary<string, string[]>.Empty;
}

public enum ContentDeleteOutcome { Deleted, NotFound, InUse }

[GenerateSerializer, Immutable, Alias("flows.ContentDeleteResult")]
public sealed record ContentDeleteResult(
    [property: Id(0)] ContentDeleteOutcome Outcome,
    [property: Id(1)] string? UsedByFlowId = null);
