using System.Globalization;
using MimeKit;
using Orleans.Flows.Contacts;
using Orleans.Flows.Content;
using Orleans.Flows.Delivery;
using Orleans.Flows.Flows;
using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Grains;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Durable;

/// <summary>
/// Durable mode with two silos sending email through one SMTP server: both silos' dispatchers claim from the same
/// PostgreSQL outbox, and every message arrives exactly once, with the message log and statistics to match.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DurableDeliveryTests(PostgresServer postgres) : DurableClusterTest(postgres, "delivery")
{
    private const int Contacts = 40;
    private readonly Smtp4devServer _smtp = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = _smtp.SmtpPort.ToString(CultureInfo.InvariantCulture),
        ["Smtp:From"] = "flows@example.com",
        // Small claims, so that both silos get some of the messages.
        ["Delivery:BatchSize"] = "5",
    };

    public override async Task InitializeAsync()
    {
        await _smtp.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task TwoSilosDispatchingFromOneOutboxSendEachEmailExactlyOnce()
    {
        var emailId = TestIds.New("email");
        await Grains.GetGrain<IContentGrain>(emailId).PutAsync(new ContentItem
        {
            Id = emailId, Channel = Channel.Email, Name = "Hello", Subject = "Hello {{ contact.firstName }}", Html = "<p>Hello</p>",
        });
        var flowId = TestIds.New("flow");
        Assert.Equal(FlowCommandError.None, (await Grains.GetGrain<IFlowGrain>(flowId).CreateAsync(FlowScenario.Definition($$"""
            {"name": "Hello", "trigger": {"type": "manual"}, "startStepId": "hello",
             "steps": [{"id": "hello", "type": "sendEmail", "contentId": "{{emailId}}"}]}
            """))).Error);
        Assert.Equal(FlowCommandError.None, (await Grains.GetGrain<IFlowGrain>(flowId).StartAsync()).Error);
        var contacts = Enumerable.Range(0, Contacts).Select(i => $"{flowId}-c{i:D2}").ToList();
        foreach (var id in contacts)
            await Grains.GetGrain<IContactGrain>(id).UpsertAsync(new ContactChange { Email = id + "@example.com", FirstName = "N" + id[^2..] });

        var outcome = await Grains.GetGrain<IEnrollmentGrain>(0).EnrollAsync(flowId, [.. contacts]);
        Assert.Equal(Contacts, outcome.Enrolled);

        var received = await _smtp.WaitForMessagesAsync(Contacts, TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2));
        received = await _smtp.MessagesAsync();
        Assert.Equal(Contacts, received.Count);
        Assert.Equal(contacts.Select(c => c + "@example.com").Order(), received.SelectMany(m => m.To).Order());
        var first = MimeMessage.Load(new MemoryStream(await _smtp.RawSourceAsync(received[0].Id)));
        Assert.StartsWith("Hello N", first.Subject);

        Assert.Equal(Contacts, await CountAsync("select count(*) from flows_outbox where flow_id = $1 and status = 'sent' and attempts = 1", flowId));
        var page = await Grains.GetGrain<IMessageLogGrain>(0).QueryAsync(new MessageQuery { FlowId = flowId, Limit = 100 });
        Assert.Equal(Contacts, page.Items.Count(r => r.Status == MessageStatus.Sent));
        var stats = await Eventually.Matches(() => Grains.GetGrain<Statistics.IFlowStatsGrain>(flowId).GetAsync(),
            s => s.Sends.Sent == Contacts, TimeSpan.FromSeconds(20), "the stats count every send");
        Assert.Equal(0, stats.Sends.Failed);
    }
}
