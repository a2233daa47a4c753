using Orleans.Flows.Contacts;
using Orleans.Flows.Content;
using Orleans.Flows.Flows;
using Orleans.Flows.Participants;
using Orleans.Flows.Segments;
using Orleans.Flows.Statistics;
using Orleans.Flows.Tests.Grains;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Durable;

/// <summary>
/// In durable mode an enrollment job writes new participants as rows, without activating them. Those participants
/// must behave like any other: woken on time from their row, reached by their contact's events (also when the
/// contact was in memory while the job wrote), counted in the statistics, and left to their grains when the
/// first step changes the contact.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BulkEnrollmentTests(PostgresServer postgres) : DurableClusterTest(postgres, "bulk")
{
    [Fact]
    public async Task RowWrittenParticipantsWakeOnTimeHearTheirEventsAndAreCounted()
    {
        var contacts = await ContactsAsync(200);
        var flowId = await RunningAsync($$"""
            {
              "name": "Bulk journey",
              "trigger": {"type": "manual"},
              "success": {"when": {"event": "sale.created"}, "then": "stop"},
              "startStepId": "hello",
              "steps": [
                {"id": "hello", "type": "sendEmail", "contentId": "{{await EmailAsync()}}", "next": "pause"},
                {"id": "pause", "type": "wait", "duration": "PT4S", "next": "again"},
                {"id": "again", "type": "sendEmail", "contentId": "{{await EmailAsync()}}"}
              ]
            }
            """);
        // One contact is in memory while the job writes its row: its next write must take the new flow over.
        var warm = contacts[7];
        Assert.NotNull(await Grains.GetGrain<IContactGrain>(warm).GetAsync());

        var job = await JobAsync(flowId, contacts);
        Assert.Equal(200, job.Enrolled);
        Assert.Equal(0, await ActivationsAsync(flowId));

        // Their contacts route events to them: a sale stops two of them during the wait.
        foreach (var buyer in new[] { warm, contacts[42] })
            await Grains.GetGrain<IContactGrain>(buyer).RecordEventsAsync([new ContactEvent { Id = TestIds.New("sale"), Type = "sale.created", OccurredAt = DateTimeOffset.UtcNow }]);
        foreach (var buyer in new[] { warm, contacts[42] })
            await Eventually.Matches(() => Participant(flowId, buyer).GetAsync(), d => d?.Summary.Status == ParticipantStatus.Succeeded,
                TimeSpan.FromSeconds(20), $"{buyer} succeeds on its sale");

        var stats = await Eventually.Matches(() => Grains.GetGrain<IFlowStatsGrain>(flowId).GetAsync(),
            s => s.Completed == 198 && s.Succeeded == 2, TimeSpan.FromSeconds(40), "the others complete after their wait");
        Assert.Equal(200, stats.Enrolled);
        var done = await Participant(flowId, contacts[0]).GetAsync();
        Assert.Equal(["enrolled", "sent", "waiting", "sent"], done!.History.Select(h => h.Outcome));
        Assert.Equal(done.History[2].Until, done.History[3].ScheduledAt);
        Assert.True(done.History[3].At - done.History[3].ScheduledAt < TimeSpan.FromSeconds(3), $"woken {done.History[3].At - done.History[3].ScheduledAt} late");
        Assert.Equal(398, await CountAsync("select count(*) from flows_outbox where flow_id = $1", flowId));
        Assert.Equal(0, await CountAsync("select count(*) from flows_wakeups where grain_id like 'participant/' || $1 || '/%'", flowId));
        var flows = await Grains.GetGrain<IContactGrain>(warm).GetFlowsAsync();
        Assert.Equal(flowId, Assert.Single(flows).FlowId);
    }

    [Fact]
    public async Task AFirstStepThatChangesTheContactIsLeftToTheParticipantGrains()
    {
        var contacts = await ContactsAsync(30);
        var flowId = await RunningAsync("""
            {
              "name": "Tag first",
              "trigger": {"type": "manual"},
              "startStepId": "tag",
              "steps": [{"id": "tag", "type": "updateContact", "addTags": ["welcomed"]}]
            }
            """);

        var job = await JobAsync(flowId, contacts);

        Assert.Equal(30, job.Enrolled);
        foreach (var id in contacts)
            Assert.Contains("welcomed", (await Grains.GetGrain<IContactGrain>(id).GetAsync())!.Tags);
    }

    private IParticipantGrain Participant(string flowId, string contactId) => Grains.GetGrain<IParticipantGrain>(ParticipantKey.Format(flowId, contactId));

    private async Task<string[]> ContactsAsync(int count)
    {
        var prefix = TestIds.New("b");
        var ids = Enumerable.Range(0, count).Select(i => $"{prefix}-{i:D4}").ToArray();
        await Task.WhenAll(ids.Select(id => Grains.GetGrain<IContactGrain>(id).ImportAsync(new ContactChange { Email = id + "@example.com" })));
        return ids;
    }

    private async Task<string> EmailAsync()
    {
        var id = TestIds.New("email");
        await Grains.GetGrain<IContentGrain>(id).PutAsync(new ContentItem { Id = id, Channel = Channel.Email, Name = "Hello", Subject = "Hello", Html = "<p>Hello</p>" });
        return id;
    }

    private async Task<string> RunningAsync(string json)
    {
        var flowId = TestIds.New("flow");
        Assert.Equal(FlowCommandError.None, (await Grains.GetGrain<IFlowGrain>(flowId).CreateAsync(FlowScenario.Definition(json))).Error);
        Assert.Equal(FlowCommandError.None, (await Grains.GetGrain<IFlowGrain>(flowId).StartAsync()).Error);
        return flowId;
    }

    private async Task<EnrollmentJobView> JobAsync(string flowId, string[] contacts)
    {
        var segmentId = TestIds.New("segment");
        await Grains.GetGrain<ISegmentGrain>(segmentId).PutStaticAsync("Bulk", [.. contacts]);
        var job = Grains.GetGrain<IEnrollmentJobGrain>(ParticipantKey.Format(flowId, TestIds.New("job")));
        Assert.Equal(EnrollmentJobRefusal.None, (await job.StartAsync(segmentId)).Refusal);
        var done = await Eventually.Matches(job.GetAsync, j => j!.Status != EnrollmentJobStatus.Running, TimeSpan.FromSeconds(60), "the job finishes");
        Assert.Equal(EnrollmentJobStatus.Completed, done!.Status);
        return done;
    }

    /// <summary>Participant grains of the flow activated on any silo.</summary>
    private async Task<int> ActivationsAsync(string flowId)
    {
        var statistics = await Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics([typeof(Orleans.Flows.Participants.ParticipantGrain).FullName!]);
        return statistics.Count(s => s.GrainId.Key.ToString()!.StartsWith(flowId + "/", StringComparison.Ordinal));
    }

}
