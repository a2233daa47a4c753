namespace Orleans.Flows.Delivery;

/// <summary>
/// The message log as clients read it: every message a step produced and what became of it. A stateless worker
/// over the silo's outbox (key 0), so a cluster client reads it without a database of its own.
/// </summary>
public interface IMessageLogGrain : IGrainWithIntegerKey
{
    Task<MessagePage> QueryAsync(MessageQuery query);

    Task<MessageRecord?> GetAsync(string messageId);
}
