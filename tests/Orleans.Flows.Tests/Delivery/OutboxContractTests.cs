using Npgsql;
using Orleans.Flows.Delivery;
using Orleans.Flows.Silo;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Delivery;

/// <summary>
/// What every outbox promises the dispatchers and the message log, in memory (development) and on PostgreSQL
/// (durable): a message recorded once, claimed by one dispatcher at a time, retried only when due, never sent
/// again once an email's claim ran out, and readable with what became of it.
/// </summary>
public abstract class OutboxContractTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    protected IOutbox Outbox { get; private set; } = null!;

    protected abstract Task<IOutbox> CreateAsync();

    public async Task InitializeAsync() => Outbox = await CreateAsync();

    public virtual Task DisposeAsync() => Outbox is IAsyncDisposable d ? d.DisposeAsync().AsTask() : Task.CompletedTask;

    private static OutboxMessage Message(string flowId, int i, MessageChannel channel = MessageChannel.Email, string? contactId = null) => new()
    {
        Id = $"{flowId}:{contactId ?? "c" + i}:1:step:1",
        Channel = channel,
        FlowId = flowId,
        StepId = "step",
        ContactId = contactId ?? "c" + i,
        ContentId = "content",
        To = $"c{i}@example.com",
        Subject = "Hello " + i,
        Html = "<p>Hello</p>",
        Text = "Hello",
        UnsubscribeUrl = "https://flows.example/u/token",
        CreatedAt = DateTimeOffset.UtcNow,
    };

    private static string NewFlow() => TestIds.New("flow");

    private async Task<List<ClaimedMessage>> ClaimAllAsync(MessageChannel channel, string flowId, TimeSpan lease)
    {
        var all = new List<ClaimedMessage>();
        while (true)
        {
            var claimed = await Outbox.ClaimAsync(channel, 100, lease);
            if (claimed.Count == 0) return [.. all.Where(c => c.Message.FlowId == flowId)];
            all.AddRange(claimed);
        }
    }

    [Fact]
    public async Task AMessageRecordedTwiceIsQueuedOnceAndTheSecondReceiptSaysDuplicate()
    {
        var message = Message(NewFlow(), 1);

        var first = await Outbox.EnqueueAsync(message);
        var second = await Outbox.EnqueueAsync(message with { Subject = "changed" });

        Assert.Equal((MessageStatus.Queued, false), (first.Status, first.Duplicate));
        Assert.True(second.Duplicate);
        var record = await Outbox.GetAsync(message.Id);
        Assert.Equal(("Hello 1", "<p>Hello</p>", "https://flows.example/u/token"), (record!.Message.Subject, record.Message.Html, record.Message.UnsubscribeUrl));
    }

    [Fact]
    public async Task DispatchersClaimingAtOnceNeverGetTheSameMessage()
    {
        var flowId = NewFlow();
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Outbox.EnqueueAsync(Message(flowId, i, MessageChannel.Sms))));

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var mine = new List<string>();
            while (true)
            {
                var claimed = await Outbox.ClaimAsync(MessageChannel.Sms, 25, Lease);
                if (claimed.Count == 0) return mine;
                mine.AddRange(claimed.Where(c => c.Message.FlowId == flowId).Select(c => c.Message.Id));
            }
        })));

        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(300, all.Count);
        Assert.Equal(300, all.Distinct().Count());
    }

    [Fact]
    public async Task ASentMessageIsNotClaimedAgainAndTheLogShowsItsAttemptsAndSendTime()
    {
        var flowId = NewFlow();
        var message = Message(flowId, 1);
        await Outbox.EnqueueAsync(message);
        var claimed = Assert.Single(await ClaimAllAsync(MessageChannel.Email, flowId, Lease));
        Assert.Equal(1, claimed.Attempts);

        var sentAt = DateTimeOffset.UtcNow;
        await Outbox.CompleteAsync(new DispatchResult(message.Id, MessageStatus.Sent, null, sentAt));

        Assert.Empty(await ClaimAllAsync(MessageChannel.Email, flowId, Lease));
        var record = await Outbox.GetAsync(message.Id);
        Assert.Equal((MessageStatus.Sent, 1), (record!.Status, record.Attempts));
        Assert.Equal(sentAt, record.SentAt!.Value, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task AMessagePutBackIsClaimedAgainOnlyWhenItsNextAttemptIsDue()
    {
        var flowId = NewFlow();
        var message = Message(flowId, 1);
        await Outbox.EnqueueAsync(message);
        await ClaimAllAsync(MessageChannel.Email, flowId, Lease);

        var now = DateTimeOffset.UtcNow;
        await Outbox.CompleteAsync(new DispatchResult(message.Id, MessageStatus.Queued, "smtp 421 try later", now, now.AddSeconds(1.5)));
        Assert.Empty(await ClaimAllAsync(MessageChannel.Email, flowId, Lease));
        Assert.Equal(("queued", "smtp 421 try later"), ((await Outbox.GetAsync(message.Id))!.Status, (await Outbox.GetAsync(message.Id))!.Error));

        await Task.Delay(TimeSpan.FromSeconds(1.7));
        var again = Assert.Single(await ClaimAllAsync(MessageChannel.Email, flowId, Lease));
        Assert.Equal(2, again.Attempts);
    }

    [Fact]
    public async Task AnEmailWhoseClaimRanOutIsFailedWithUnknownOutcomeAndNeverHandedOutAgain()
    {
        var flowId = NewFlow();
        var message = Message(flowId, 1);
        await Outbox.EnqueueAsync(message);
        Assert.Single(await ClaimAllAsync(MessageChannel.Email, flowId, TimeSpan.FromSeconds(1)));

        // Its dispatcher died after it may have handed the email to the server.
        await Task.Delay(TimeSpan.FromSeconds(1.3));

        Assert.Empty(await ClaimAllAsync(MessageChannel.Email, flowId, Lease));
        var record = await Outbox.GetAsync(message.Id);
        Assert.Equal((MessageStatus.Failed, DeliveryErrors.UnknownOutcome), (record!.Status, record.Error));
        // A late outcome from the dead dispatcher changes nothing.
        await Outbox.CompleteAsync(new DispatchResult(message.Id, MessageStatus.Sent, null, DateTimeOffset.UtcNow));
        Assert.Equal(MessageStatus.Failed, (await Outbox.GetAsync(message.Id))!.Status);
    }

    [Fact]
    public async Task AGatewayMessageWhoseClaimRanOutIsClaimedAgainSinceItsIdempotencyKeyGuardsARepeat()
    {
        var flowId = NewFlow();
        await Outbox.EnqueueAsync(Message(flowId, 1, MessageChannel.Sms));
        Assert.Single(await ClaimAllAsync(MessageChannel.Sms, flowId, TimeSpan.FromSeconds(1)));

        await Task.Delay(TimeSpan.FromSeconds(1.3));

        var again = Assert.Single(await ClaimAllAsync(MessageChannel.Sms, flowId, Lease));
        Assert.Equal(2, again.Attempts);
    }

    [Fact]
    public async Task ADeliveryReportChangesTheStatusAndKeepsTheReason()
    {
        var message = Message(NewFlow(), 1);
        await Outbox.EnqueueAsync(message);

        var bounced = await Outbox.ReportAsync(message.Id, MessageStatus.Bounced, "hard bounce");

        Assert.Equal((MessageStatus.Bounced, "hard bounce"), (bounced!.Status, bounced.Error));
        Assert.Null(await Outbox.ReportAsync("no-such-message", MessageStatus.Delivered, null));
    }

    [Fact]
    public async Task TheLogFiltersByFlowContactAndStatusAndPagesById()
    {
        var flowId = NewFlow();
        for (var i = 0; i < 7; i++) await Outbox.EnqueueAsync(Message(flowId, i));
        await Outbox.EnqueueAsync(Message(NewFlow(), 99, contactId: "c3"));
        await ClaimAllAsync(MessageChannel.Email, flowId, Lease);
        await Outbox.CompleteAsync(new DispatchResult(Message(flowId, 2).Id, MessageStatus.Sent, null, DateTimeOffset.UtcNow));

        var pages = new List<MessagePage>();
        string? after = null;
        do
        {
            var page = await Outbox.QueryAsync(new MessageQuery { FlowId = flowId, After = after, Limit = 3 });
            pages.Add(page);
            after = page.NextAfter;
        }
        while (after is not null);

        Assert.Equal([3, 3, 1], pages.Select(p => p.Items.Length));
        var ids = pages.SelectMany(p => p.Items).Select(r => r.Message.Id).ToList();
        Assert.Equal(Enumerable.Range(0, 7).Select(i => Message(flowId, i).Id).Order(StringComparer.Ordinal), ids);
        Assert.Equal([Message(flowId, 2).Id], (await Outbox.QueryAsync(new MessageQuery { FlowId = flowId, Status = MessageStatus.Sent })).Items.Select(r => r.Message.Id));
        Assert.Equal(2, (await Outbox.QueryAsync(new MessageQuery { ContactId = "c3" })).Items.Count(r => r.Message.FlowId == flowId || r.Message.ContactId == "c3"));
        var many = await Outbox.GetManyAsync([Message(flowId, 0).Id, Message(flowId, 1).Id, "missing"]);
        Assert.Equal(2, many.Count);
    }

    [Fact]
    public async Task AnErasedContactsMessagesAreGone()
    {
        var flowId = NewFlow();
        var contactId = TestIds.New("erased");
        await Outbox.EnqueueAsync(Message(flowId, 1, contactId: contactId));

        await Outbox.ForgetContactAsync(contactId);

        Assert.Empty((await Outbox.QueryAsync(new MessageQuery { ContactId = contactId })).Items);
        Assert.Empty(await ClaimAllAsync(MessageChannel.Email, flowId, Lease));
    }
}

public sealed class MemoryOutboxContractTests : OutboxContractTests
{
    protected override Task<IOutbox> CreateAsync() => Task.FromResult<IOutbox>(new MemoryOutbox(TimeProvider.System));
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresOutboxContractTests(PostgresServer postgres) : OutboxContractTests
{
    private NpgsqlDataSource? _database;

    protected override async Task<IOutbox> CreateAsync()
    {
        _database = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync("outbox_" + Guid.NewGuid().ToString("N")[..8]));
        return new PostgresOutbox(_database);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }
}
