namespace Orleans.Flows.Delivery;

/// <summary>
/// A message that cannot be composed as it stands: a template that does not parse (saved before it was checked) or
/// that fails while rendering (e.g. a runaway loop). Sending it again gives the same answer: record it as failed.
/// </summary>
public sealed class MessageCompositionException : Exception
{
    public MessageCompositionException(string message) : base(message) { }

    public MessageCompositionException(string message, Exception innerException) : base(message, innerException) { }
}
