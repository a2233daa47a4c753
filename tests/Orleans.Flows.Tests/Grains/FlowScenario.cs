using System.Collections.Immutable;
using System.Text.Json;
using Orleans.Flows.Contacts;
using Orleans.Flows.Content;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using Orleans.Flows.Segments;
using Orleans.Flows.Statistics;
using Orleans.Flows.Tests.Infrastructure;
using Orleans.Flows.Values;

namespace Orleans.Flows.Tests.Grains;

/// <summary>
/// What grain tests set up over and over on the shared cluster: content, contacts and flows with fresh ids,
/// enrollment, and polling of participants, stats and the participant list.
/// </summary>
internal sealed class FlowScenario(ClusterFixture cluster)
{
    /// <summary>Long enough for reminders (1 s minimum due time) and the 250 ms read-model flushes.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public IGrainFactory Grains => cluster.Grains;

    public IFlowGrain Flow(string flowId) => Grains.GetGrain<IFlowGrain>(flowId);

    public IContactGrain Contact(string contactId) => Grains.GetGrain<IContactGrain>(contactId);

    public IParticipantGrain Participant(string flowId, string contactId) =>
        Grains.GetGrain<IParticipantGrain>(ParticipantKey.Format(flowId, contactId));

    public IFlowStatsGrain Stats(string flowId) => Grains.GetGrain<IFlowStatsGrain>(flowId);

    public IFlowParticipantsGrain List(string flowId) => Grains.GetGrain<IFlowParticipantsGrain>(flowId);

    public async Task<string> EmailAsync(string name = "Welcome")
    {
        var id = TestIds.New("email");
        var result = await Grains.GetGrain<IContentGrain>(id).PutAsync(new ContentItem
        {
            Id = id,
            Channel = Channel.Email,
            Name = name,
            Subject = "Hello {{ contact.firstName }}",
            Html = "<p>Hello {{ contact.firstName }}</p>",
        });
        Assert.True(result.Errors.IsEmpty, "email content was rejected: " + string.Join("; ", result.Errors.Keys));
        return id;
    }

    public async Task<string> SmsAsync(string text = "Hi {{ contact.firstName }}")
    {
        var id = TestIds.New("sms");
        var result = await Grains.GetGrain<IContentGrain>(id).PutAsync(new ContentItem { Id = id, Channel = Channel.Sms, Name = "Nudge", Text = text });
        Assert.True(result.Errors.IsEmpty, "sms content was rejected: " + string.Join("; ", result.Errors.Keys));
        return id;
    }

    public async Task<string> ContactAsync(
        IReadOnlyDictionary<string, FieldValue>? attributes = null, bool? emailConsent = null, string? id = null)
    {
        id ??= TestIds.New("contact");
        await Contact(id).UpsertAsync(new ContactChange
        {
            Email = id + "@example.com",
            Phone = "+4790000000",
            FirstName = "Ada",
            Company = "Acme",
            Attributes = attributes?.ToImmutableSortedDictionary(StringComparer.Ordinal),
            EmailConsent = emailConsent,
        });
        return id;
    }

    public static FlowDefinition Definition(string json) =>
        JsonSerializer.Deserialize<FlowDefinition>(json, FlowJson.Options) ?? throw new InvalidOperationException("null definition");

    /// <summary>Creates a draft flow and fails the test if the definition is refused.</summary>
    public async Task<string> DraftAsync(string json)
    {
        var flowId = TestIds.New("flow");
        var created = await Flow(flowId).CreateAsync(Definition(json));
        Assert.True(created.Error == FlowCommandError.None,
            $"flow was refused: {created.Error} {created.Detail} {string.Join("; ", created.Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"))}");
        return flowId;
    }

    public async Task<string> RunningAsync(string json)
    {
        var flowId = await DraftAsync(json);
        var started = await Flow(flowId).StartAsync();
        Assert.Equal(FlowCommandError.None, started.Error);
        return flowId;
    }

    private readonly List<string> _toEnd = [];

    /// <summary>
    /// Starts a flow that events trigger and ends it with <see cref="EndTriggeredAsync"/> after the test: left running, it
    /// would enroll the contacts of later tests on the shared cluster (every new contact, every <c>sale.created</c>, …).
    /// </summary>
    public async Task<string> TriggeredAsync(string json) => EndAfterTest(await RunningAsync(json));

    /// <summary>Remembers a flow for <see cref="EndTriggeredAsync"/>.</summary>
    public string EndAfterTest(string flowId)
    {
        _toEnd.Add(flowId);
        return flowId;
    }

    /// <summary>Ends the flows remembered by <see cref="TriggeredAsync"/> and <see cref="EndAfterTest"/> (those not ended yet).</summary>
    public async Task EndTriggeredAsync()
    {
        foreach (var flowId in _toEnd) await Flow(flowId).EndAsync();
    }

    public Task<EnrollmentOutcome> EnrollAsync(string flowId, params string[] contactIds) =>
        Grains.GetGrain<IEnrollmentGrain>(0).EnrollAsync(flowId, [.. contactIds]);

    /// <summary>Enrolls contacts that must all get in.</summary>
    public async Task EnrollAllAsync(string flowId, params string[] contactIds)
    {
        var outcome = await EnrollAsync(flowId, contactIds);
        Assert.Null(outcome.Conflict);
        Assert.Empty(outcome.Skipped);
        Assert.Equal(contactIds.Length, outcome.Enrolled);
    }

    public Task<ParticipantDetail?> DetailAsync(string flowId, string contactId) => Participant(flowId, contactId).GetAsync();

    public async Task<ParticipantDetail> ParticipantUntilAsync(
        string flowId, string contactId, Func<ParticipantDetail, bool> condition, string what) =>
        (await Eventually.Matches(() => DetailAsync(flowId, contactId), d => d is not null && condition(d), Timeout, what))!;

    public Task<ParticipantDetail> StatusAsync(string flowId, string contactId, ParticipantStatus status) =>
        ParticipantUntilAsync(flowId, contactId, d => d.Summary.Status == status, $"participant {contactId} is {status}");

    public Task<FlowStats> StatsUntilAsync(string flowId, Func<FlowStats, bool> condition, string what) =>
        Eventually.Matches(() => Stats(flowId).GetAsync(), condition, Timeout, what);

    public Task<ParticipantPage> ListUntilAsync(string flowId, ParticipantQuery query, Func<ParticipantPage, bool> condition, string what) =>
        Eventually.Matches(() => List(flowId).QueryAsync(query), condition, Timeout, what);

    /// <summary>Lets real time pass until <paramref name="moment"/> by polling the participant (no sleeping assertion).</summary>
    public Task<ParticipantDetail?> ParticipantAfterAsync(string flowId, string contactId, DateTimeOffset moment) =>
        Eventually.Matches(() => DetailAsync(flowId, contactId), _ => DateTimeOffset.UtcNow > moment, Timeout, $"the clock passes {moment:O}");

    public ISegmentGrain Segment(string segmentId) => Grains.GetGrain<ISegmentGrain>(segmentId);

    /// <summary>Creates a static segment with a fresh id holding <paramref name="contactIds"/>.</summary>
    public async Task<string> SegmentAsync(params string[] contactIds)
    {
        var id = TestIds.New("segment");
        await Segment(id).PutStaticAsync("Test segment", [.. contactIds]);
        return id;
    }

    /// <summary>An event with a fresh id that occurred now, with text properties.</summary>
    public static ContactEvent Event(string type, params (string Name, string Value)[] properties) => new()
    {
        Id = TestIds.New("event"),
        Type = type,
        OccurredAt = DateTimeOffset.UtcNow,
        Properties = properties.ToImmutableSortedDictionary(p => p.Name, p => FieldValue.Of(p.Value), StringComparer.Ordinal),
    };

    /// <summary>Posts events as <c>POST /v1/events</c> does.</summary>
    public Task<EventIngestResult> IngestAsync(params IncomingEvent[] events) => Grains.GetGrain<IEventIngestGrain>(0).IngestAsync([.. events]);

    /// <summary>Posts one event with a fresh id for <paramref name="contactId"/>.</summary>
    public Task<EventIngestResult> PostEventAsync(string contactId, string type, params (string Name, string Value)[] properties) =>
        IngestAsync(new IncomingEvent(contactId, Event(type, properties)));

    /// <summary>
    /// Which journey (1 = first enrollment, 2 = first re-entry, …) the participant's last sending belongs to, found by its
    /// deterministic message id of <paramref name="stepId"/>'s first visit; null when it matches none.
    /// </summary>
    public static int? JourneyOf(ParticipantDetail detail, string stepId = "welcome") =>
        Enumerable.Range(1, 10).Cast<int?>().FirstOrDefault(journey =>
            MessageIds.For(detail.Summary.FlowId, detail.Summary.ContactId, journey!.Value, stepId, 1) == detail.Summary.LastSending?.MessageId);

    /// <summary>send email → wait → send sms → end, the journey most tests walk.</summary>
    public static string SendWaitSendJson(string emailId, string smsId, string wait = "PT2S", string reentry = "never") => $$"""
        {
          "name": "Send, wait, send",
          "trigger": {"type": "manual"},
          "reentry": "{{reentry}}",
          "startStepId": "welcome",
          "steps": [
            {"id": "welcome", "type": "sendEmail", "contentId": "{{emailId}}", "next": "pause"},
            {"id": "pause", "type": "wait", "duration": "{{wait}}", "next": "nudge"},
            {"id": "nudge", "type": "sendSms", "contentId": "{{smsId}}", "next": "done"},
            {"id": "done", "type": "end"}
          ]
        }
        """;
}
