namespace Orleans.Flows.Contacts;

/// <summary>Event types the engine itself records.</summary>
public static class WellKnownEvents
{
    public const string ContactCreated = "contact.created";
    public const string ContactUpdated = "contact.updated";
    /// <summary>A contact was added to a static segment; <c>properties.segmentId</c> names it.</summary>
    public const string SelectionAdded = "selection.added";
}
