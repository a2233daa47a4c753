using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Flows.Contacts;
using Orleans.Flows.Content;
using Orleans.Flows.Delivery;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;
using Orleans.TestingHost;

namespace Orleans.Flows.Tests.Durable;

/// <summary>The engine on a two-silo cluster in durable mode: every grain's state, every wake-up and the membership in PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DurableJourneyTests(PostgresServer postgres) : DurableClusterTest(postgres, "journeys")
{
    [Fact]
    public async Task JourneyWithAWaitCompletesOnPostgreSql()
    {
        var (flowId, contactId) = await RunningSendWaitSendAsync("PT2S");

        var outcome = await Grains.GetGrain<IEnrollmentGrain>(0).EnrollAsync(flowId, [contactId]);

        Assert.Equal(1, outcome.Enrolled);
        var done = await Eventually.Matches(() => Grains.GetGrain<IParticipantGrain>(ParticipantKey.Format(flowId, contactId)).GetAsync(),
            d => d?.Summary.Status == ParticipantStatus.Completed, TimeSpan.FromSeconds(30), "the participant completes after its wait");
        Assert.Equal(["enrolled", "sent", "waiting", "sent", "ended"], done!.History.Select(h => h.Outcome));
        Assert.Equal(done.History[2].Until, done.History[3].ScheduledAt);
        Assert.Equal(2L, await CountAsync("select count(*) from flows_outbox where flow_id = $1", flowId));
    }

    [Fact]
    public async Task ParticipantListAndStatisticsAreKeptInPostgreSql()
    {
        var (flowId, first) = await RunningSendWaitSendAsync("P1D");
        var contacts = new List<string> { first };
        for (var i = 0; i < 4; i++)
        {
            var id = TestIds.New("contact");
            await Grains.GetGrain<IContactGrain>(id).UpsertAsync(new ContactChange { Email = $"c{i}@example.com" });
            contacts.Add(id);
        }

        Assert.Equal(5, (await Grains.GetGrain<IEnrollmentGrain>(0).EnrollAsync(flowId, [.. contacts])).Enrolled);

        await Eventually.Matches(() => CountAsync("select count(*) from flows_participants where flow_id = $1 and status = 1", flowId),
            n => n == 5, TimeSpan.FromSeconds(20), "five waiting rows are in flows_participants");
        var stats = await Eventually.Matches(() => Grains.GetGrain<Statistics.IFlowStatsGrain>(flowId).GetAsync(),
            s => s.Waiting == 5 && s.Sends.Sent == 5, TimeSpan.FromSeconds(20), "the statistics count five waiting");
        Assert.Equal(5, stats.Enrolled);
        Assert.Equal(5, stats.Steps["pause"].Waiting);
        Assert.Equal(5, stats.Sends.Sent);
        var list = Grains.GetGrain<IFlowParticipantsGrain>(flowId);
        var seen = new List<string>();
        string? after = null;
        do
        {
            var page = await list.QueryAsync(new ParticipantQuery { Status = ParticipantStatus.Waiting, AfterContactId = after, Limit = 2 });
            Assert.True(page.Items.Length <= 2);
            seen.AddRange(page.Items.Select(p => p.ContactId));
            Assert.All(page.Items, p => Assert.Equal("pause", p.CurrentStepId));
            after = page.NextAfterContactId;
        }
        while (after is not null);
        Assert.Equal(contacts.Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task AMessageHandedToTheOutboxOnTwoSilosIsRecordedOnce()
    {
        // What a step replayed on another silo after a crash does: the same deterministic id again.
        var message = new OutboxMessage
        {
            Id = MessageIds.For(TestIds.New("flow"), "ada", 1, "welcome", 1),
            Channel = MessageChannel.Email,
            FlowId = "flow",
            StepId = "welcome",
            ContactId = "ada",
            To = "ada@example.com",
            CreatedAt = DateTimeOffset.UtcNow,
        };
        var outboxes = Cluster.Silos.OfType<InProcessSiloHandle>().Select(s => s.ServiceProvider.GetRequiredService<IOutbox>()).ToList();

        var first = await outboxes[0].EnqueueAsync(message);
        var second = await outboxes[1].EnqueueAsync(message);

        Assert.False(first.Duplicate);
        Assert.True(second.Duplicate);
        Assert.Equal(first.At, second.At);
        Assert.Equal(1L, await CountAsync("select count(*) from flows_outbox where id = $1", message.Id));
    }

    [Fact]
    public async Task ContactsWhoseIdsReadAsTheSameNumberKeepTheirOwnState()
    {
        // The ADO.NET provider reads "20235" and "020235" as the same hexadecimal number; they must not share a row.
        var suffix = Guid.NewGuid().ToString("N")[..6].Replace('a', '1').Replace('b', '2').Replace('c', '3').Replace('d', '4').Replace('e', '5').Replace('f', '6');
        await Grains.GetGrain<IContactGrain>(suffix).UpsertAsync(new ContactChange { Email = "short@example.com" });
        await Grains.GetGrain<IContactGrain>("0" + suffix).UpsertAsync(new ContactChange { Email = "padded@example.com" });

        Assert.Equal("short@example.com", (await Grains.GetGrain<IContactGrain>(suffix).GetAsync())?.Email);
        Assert.Equal("padded@example.com", (await Grains.GetGrain<IContactGrain>("0" + suffix).GetAsync())?.Email);
    }

    [Fact]
    public async Task FlowsContactsAndParticipantsSurviveARestartOfTheWholeCluster()
    {
        var (flowId, contactId) = await RunningSendWaitSendAsync("P1D");
        await Grains.GetGrain<IEnrollmentGrain>(0).EnrollAsync(flowId, [contactId]);

        await RestartAsync();

        var flow = await Grains.GetGrain<IFlowGrain>(flowId).GetAsync();
        Assert.Equal(FlowStatus.Running, flow?.Status);
        Assert.Equal("ada@example.com", (await Grains.GetGrain<IContactGrain>(contactId).GetAsync())?.Email);
        var participant = await Grains.GetGrain<IParticipantGrain>(ParticipantKey.Format(flowId, contactId)).GetAsync();
        Assert.Equal(ParticipantStatus.Waiting, participant?.Summary.Status);
        Assert.Equal("pause", participant?.Summary.CurrentStepId);
    }


    private async Task<(string FlowId, string ContactId)> RunningSendWaitSendAsync(string wait)
    {
        var email = TestIds.New("email");
        var sms = TestIds.New("sms");
        var contactId = TestIds.New("contact");
        var flowId = TestIds.New("flow");
        await Grains.GetGrain<IContentGrain>(email).PutAsync(new ContentItem { Id = email, Channel = Channel.Email, Name = "Welcome", Subject = "Hi", Html = "<p>Hi</p>" });
        await Grains.GetGrain<IContentGrain>(sms).PutAsync(new ContentItem { Id = sms, Channel = Channel.Sms, Name = "Nudge", Text = "Hi" });
        await Grains.GetGrain<IContactGrain>(contactId).UpsertAsync(new ContactChange { Email = "ada@example.com", Phone = "+4712345678" });
        var definition = JsonSerializer.Deserialize<FlowDefinition>($$"""
            {"name": "Durable", "startStepId": "welcome", "steps": [
              {"id": "welcome", "type": "sendEmail", "contentId": "{{email}}", "next": "pause"},
              {"id": "pause", "type": "wait", "duration": "{{wait}}", "next": "nudge"},
              {"id": "nudge", "type": "sendSms", "contentId": "{{sms}}", "next": "done"},
              {"id": "done", "type": "end"}]}
            """, FlowJson.Options)!;
        Assert.Equal(FlowCommandError.None, (await Grains.GetGrain<IFlowGrain>(flowId).CreateAsync(definition)).Error);
        Assert.Equal(FlowCommandError.None, (await Grains.GetGrain<IFlowGrain>(flowId).StartAsync()).Error);
        return (flowId, contactId);
    }
}
