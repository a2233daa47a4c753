using Orleans.Flows.Flows;
using Orleans.Flows.Participants;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Grains;

/// <summary>Segment-triggered flows are continuous: members at the start, and every contact that enters a segment while the flow runs.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SegmentTriggerTests(ClusterFixture cluster)
{
    private readonly FlowScenario _scenario = new(cluster);

    /// <summary>email → <paramref name="wait"/> → end (no wait: the journey ends at once), triggered by the segments.</summary>
    private async Task<string> SegmentFlowJsonAsync(string[] segmentIds, string? wait = "P1D", string reentry = "never")
    {
        var email = await _scenario.EmailAsync();
        var segments = string.Join(", ", segmentIds.Select(id => $"\"{id}\""));
        var steps = wait is null
            ? $$"""
                {"id": "welcome", "type": "sendEmail", "contentId": "{{email}}", "next": "done"},
                {"id": "done", "type": "end"}
              """
            : $$"""
                {"id": "welcome", "type": "sendEmail", "contentId": "{{email}}", "next": "pause"},
                {"id": "pause", "type": "wait", "duration": "{{wait}}", "next": "done"},
                {"id": "done", "type": "end"}
              """;
        return $$"""
            {
              "name": "Segment members",
              "trigger": {"type": "segment", "segmentIds": [{{segments}}]},
              "reentry": "{{reentry}}",
              "startStepId": "welcome",
              "steps": [
                {{steps}}
              ]
            }
            """;
    }

    private async Task<string[]> ContactsAsync(int count)
    {
        var ids = new string[count];
        for (var i = 0; i < count; i++) ids[i] = await _scenario.ContactAsync();
        return ids;
    }

    [Fact]
    public async Task StartingTheFlowEnrollsEveryMember()
    {
        var members = await ContactsAsync(3);
        var segmentId = await _scenario.SegmentAsync(members);

        var flowId = await _scenario.RunningAsync(await SegmentFlowJsonAsync([segmentId]));

        foreach (var contactId in members)
            Assert.Equal("pause", (await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Waiting)).Summary.CurrentStepId);
        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Waiting == 3, "the stats count three waiting participants");
        Assert.Equal(3, stats.Enrolled);
    }

    [Fact]
    public async Task MemberAddedWhileTheFlowRunsIsEnrolled()
    {
        var members = await ContactsAsync(3);
        var segmentId = await _scenario.SegmentAsync(members);
        var flowId = await _scenario.RunningAsync(await SegmentFlowJsonAsync([segmentId]));
        foreach (var contactId in members) await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Waiting);
        var fourth = await _scenario.ContactAsync();

        Assert.Equal(1, await _scenario.Segment(segmentId).AddMembersAsync([fourth]));

        await _scenario.StatusAsync(flowId, fourth, ParticipantStatus.Waiting);
        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Waiting == 4, "the stats count four waiting participants");
        Assert.Equal(4, stats.Enrolled);
    }

    [Fact]
    public async Task ContactInTwoSegmentsOfTheFlowIsEnrolledOnce()
    {
        var (shared, onlyFirst, onlySecond) = (await _scenario.ContactAsync(), await _scenario.ContactAsync(), await _scenario.ContactAsync());
        var first = await _scenario.SegmentAsync(shared, onlyFirst);
        var second = await _scenario.SegmentAsync(shared, onlySecond);

        var flowId = await _scenario.RunningAsync(await SegmentFlowJsonAsync([first, second]));

        foreach (var contactId in new[] { shared, onlyFirst, onlySecond })
            await _scenario.StatusAsync(flowId, contactId, ParticipantStatus.Waiting);
        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Waiting == 3, "the stats count three waiting participants");
        Assert.Equal(3, stats.Enrolled);
        Assert.Single((await _scenario.DetailAsync(flowId, shared))!.History, h => h.Type == "enrolled");
    }

    [Fact]
    public async Task ContactInTwoSegmentsIsEnrolledOnceAtTheStartAlsoWhenReentryIsAllowed()
    {
        var (shared, onlyFirst) = (await _scenario.ContactAsync(), await _scenario.ContactAsync());
        var last = await _scenario.ContactAsync();
        var first = await _scenario.SegmentAsync(shared, onlyFirst);
        var second = await _scenario.SegmentAsync(shared);
        // Segments are enrolled one after the other: once the last one's member is in, the second was done.
        var third = await _scenario.SegmentAsync(last);

        var flowId = await _scenario.RunningAsync(await SegmentFlowJsonAsync([first, second, third], wait: null, reentry: "always"));

        await _scenario.StatusAsync(flowId, last, ParticipantStatus.Completed);
        var detail = await _scenario.StatusAsync(flowId, shared, ParticipantStatus.Completed);
        Assert.Equal(1, FlowScenario.JourneyOf(detail));
        var stats = await _scenario.StatsUntilAsync(flowId, s => s.Completed == 3, "the stats count three completed journeys");
        Assert.Equal(3, stats.Enrolled);
    }

    [Fact]
    public async Task MembersAddedWhileTheFlowIsPausedAreEnrolledWhenItResumes()
    {
        var member = await _scenario.ContactAsync();
        var segmentId = await _scenario.SegmentAsync(member);
        var flowId = await _scenario.RunningAsync(await SegmentFlowJsonAsync([segmentId]));
        var before = await _scenario.StatusAsync(flowId, member, ParticipantStatus.Waiting);
        Assert.Equal(FlowCommandError.None, (await _scenario.Flow(flowId).PauseAsync()).Error);
        var added = await _scenario.ContactAsync();

        Assert.Equal(1, await _scenario.Segment(segmentId).AddMembersAsync([added]));
        Assert.Null(await _scenario.DetailAsync(flowId, added));

        Assert.Equal(FlowCommandError.None, (await _scenario.Flow(flowId).StartAsync()).Error);

        var enrolled = await _scenario.StatusAsync(flowId, added, ParticipantStatus.Waiting);
        Assert.Equal("pause", enrolled.Summary.CurrentStepId);
        var after = await _scenario.DetailAsync(flowId, member);
        Assert.Equal(before.Summary.EnrolledAt, after!.Summary.EnrolledAt);
        Assert.Single(after.History, h => h.Type == "enrolled");
    }

    [Fact]
    public async Task ResumingDoesNotEnrollAgainMembersThatFinishedWhenReentryIsAllowed()
    {
        var member = await _scenario.ContactAsync();
        var first = await _scenario.SegmentAsync(member);
        var second = await _scenario.SegmentAsync();
        var flowId = await _scenario.RunningAsync(await SegmentFlowJsonAsync([first, second], wait: null, reentry: "always"));
        await _scenario.StatusAsync(flowId, member, ParticipantStatus.Completed);
        Assert.Equal(FlowCommandError.None, (await _scenario.Flow(flowId).PauseAsync()).Error);
        // Added to the second segment during the pause: enrolled on the resume after the first segment's members.
        var added = await _scenario.ContactAsync();
        await _scenario.Segment(second).AddMembersAsync([added]);

        Assert.Equal(FlowCommandError.None, (await _scenario.Flow(flowId).StartAsync()).Error);

        await _scenario.StatusAsync(flowId, added, ParticipantStatus.Completed);
        var detail = await _scenario.DetailAsync(flowId, member);
        Assert.Equal(1, FlowScenario.JourneyOf(detail!));
    }
}
