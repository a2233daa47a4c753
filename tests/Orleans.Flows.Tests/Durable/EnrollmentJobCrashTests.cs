using Orleans.Flows.Contacts;
using Orleans.Flows.Content;
using Orleans.Flows.Flows;
using Orleans.Flows.Participants;
using Orleans.Flows.Segments;
using Orleans.Flows.Tests.Grains;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Durable;

/// <summary>
/// An enrollment job whose silo dies half way goes on from its persisted cursor on the silo that is left, and
/// enrolls every member exactly once: one journey and one message each, even in a flow that lets contacts in
/// again (a repeated page would otherwise start a second journey for those who had finished the first).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EnrollmentJobCrashTests(PostgresServer postgres) : DurableClusterTest(postgres, "jobcrash")
{
    private const int Members = 6_000;

    // Small pages, few in flight: the job lasts long enough for the crash to land half way on any machine.
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Enrollment:PageSize"] = "100",
        ["Enrollment:PagesInFlight"] = "2",
    };

    [Fact]
    public async Task AJobInterruptedByASiloCrashResumesAndEnrollsEveryoneExactlyOnce()
    {
        var prefix = TestIds.New("m");
        var contactIds = Enumerable.Range(0, Members).Select(i => $"{prefix}-{i:D5}").ToArray();
        foreach (var chunk in contactIds.Chunk(250))
            await Task.WhenAll(chunk.Select(id => Grains.GetGrain<IContactGrain>(id).UpsertAsync(new ContactChange { Email = id + "@example.com" })));
        var segmentId = TestIds.New("segment");
        await Grains.GetGrain<ISegmentGrain>(segmentId).PutStaticAsync("Everyone", [.. contactIds]);

        var emailId = TestIds.New("email");
        await Grains.GetGrain<IContentGrain>(emailId).PutAsync(new ContentItem { Id = emailId, Channel = Channel.Email, Name = "Hello", Subject = "Hello", Html = "<p>Hello</p>" });
        var flowId = TestIds.New("flow");
        var created = await Grains.GetGrain<IFlowGrain>(flowId).CreateAsync(FlowScenario.Definition($$"""
            {
              "name": "Send once, come back any time",
              "trigger": {"type": "manual"},
              "reentry": "always",
              "startStepId": "hello",
              "steps": [{"id": "hello", "type": "sendEmail", "contentId": "{{emailId}}"}]
            }
            """));
        Assert.Equal(FlowCommandError.None, created.Error);
        Assert.Equal(FlowCommandError.None, (await Grains.GetGrain<IFlowGrain>(flowId).StartAsync()).Error);

        var job = Grains.GetGrain<IEnrollmentJobGrain>(ParticipantKey.Format(flowId, TestIds.New("job")));
        var started = await job.StartAsync(segmentId);
        Assert.Equal(EnrollmentJobRefusal.None, started.Refusal);
        Assert.Equal(Members, started.Job!.Total);

        // Kill the job's silo once some pages are done, and others are still to come.
        var atCrash = await Eventually.Matches(job.GetAsync, j => j!.Processed >= 500, TimeSpan.FromSeconds(60), "five pages processed");
        var host = await Grains.GetGrain<IManagementGrain>(0).GetActivationAddress(job);
        var victim = Cluster.Silos.First(s => s.SiloAddress.Equals(host));
        await Cluster.KillSiloAsync(victim);
        Assert.True(atCrash!.Processed < Members, $"the job had finished before the crash ({atCrash.Processed} processed): nothing was interrupted");

        var done = await Eventually.Matches(job.GetAsync, j => j!.Status != EnrollmentJobStatus.Running, TimeSpan.FromMinutes(3), "the job finishes on the silo left");
        Assert.Equal(EnrollmentJobStatus.Completed, done!.Status);
        Assert.Equal(Members, done.Processed);
        Assert.Equal(Members, done.Enrolled);
        Assert.Equal(0, done.Skipped);

        Assert.Equal(Members, await CountAsync("select count(*) from flows_outbox where flow_id = $1", flowId));
        Assert.Equal(Members, await CountAsync("select count(distinct contact_id) from flows_outbox where flow_id = $1", flowId));
        // One journey each: a second enrollment would have made it journey 2.
        Assert.Equal(Members, await CountAsync(
            "select count(*) from flows_grain_state where grain_type = 'participant' and grain_key like $1 || '/%' and (data->>'journey')::int = 1 and data->>'status' = 'completed'",
            flowId));
    }

}
