using Orleans.Concurrency;

namespace Orleans.Flows.Delivery;

[StatelessWorker]
public sealed class MessageLogGrain(IOutbox outbox) : Grain, IMessageLogGrain
{
    public Task<MessagePage> QueryAsync(MessageQuery query) => outbox.QueryAsync(query);

    public Task<MessageRecord?> GetAsync(string messageId) => outbox.GetAsync(messageId);
}
