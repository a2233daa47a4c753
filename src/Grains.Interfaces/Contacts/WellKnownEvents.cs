namespace Orleans.Flows.Contacts;

/// <summary>Event types the engine itself records.</summary>
public static class WellKnownEvents
{
    public const string ContactCreated = "contact.created";
    public const string ContactUpdated = "contact.updated";
    /// <summary>A contact entered a segment (added to a static list, or changed to match a filter); <c>properties.segmentId</c> names it.</summary>
    public const string SelectionAdded = "selection.added";
}
