using System.Collections.Immutable;
using System.Text.Json;
using Orleans.Flows.Contacts;
using Orleans.Flows.Content;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using Orleans.Flows.Values;

namespace Orleans.Flows.Tests.Interpretation;

/// <summary>Small builders shared by the interpreter, validator and JSON tests.</summary>
internal static class FlowBuilder
{
    /// <summary>The fixed clock of every test: Monday 2026-03-02 08:00 UTC (09:00 in Oslo).</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    public const string FlowId = "flow-1";
    public const string ContactId = "c-1";

    /// <summary>The full example definition of API.md, "Flow definition".</summary>
    public const string ExampleJson = """
        {
          "name": "Welcome new customers",
          "trigger": {"type": "manual"},
          "filter": {"attribute": "attributes.category", "op": "eq", "value": "customer"},
          "reentry": "never",
          "success": {"when": {"event": "sale.created"}, "then": "stop", "moveTo": null},
          "schedule": {"startAt": null, "endAt": null, "timeZone": "Europe/Oslo",
                       "sendWindow": {"days": ["mon","tue","wed","thu","fri"], "from": "09:00", "to": "17:00"}},
          "startStepId": "welcome",
          "steps": [
            {"id": "welcome", "type": "sendEmail", "contentId": "welcome-email", "next": "pause"},
            {"id": "pause", "type": "wait", "duration": "P2D", "next": "opened"},
            {"id": "opened", "type": "condition", "if": {"event": "email.opened", "stepId": "welcome"}, "then": "offer", "else": "nudge"},
            {"id": "nudge", "type": "sendSms", "contentId": "nudge-sms", "next": "offer"},
            {"id": "offer", "type": "waitForEvent", "event": "link.clicked", "timeout": "P7D", "next": "lead", "onTimeout": "done"},
            {"id": "lead", "type": "updateContact", "setAttributes": {"category": "lead"}, "addTags": ["warm"], "next": "call"},
            {"id": "call", "type": "createActivity", "kind": "followUp", "title": "Call {{ contact.firstName }}", "next": "done"},
            {"id": "done", "type": "end"}
          ]
        }
        """;

    /// <summary>The API's own JSON options: the tests write flows in the JSON of API.md.</summary>
    public static JsonSerializerOptions Json => FlowJson.Options;

    public static FlowDefinition Parse(string json) =>
        JsonSerializer.Deserialize<FlowDefinition>(json, Json) ?? throw new InvalidOperationException("null definition");

    public static FlowDefinition Example() => Parse(ExampleJson);

    /// <summary>
    /// A definition from its steps (the inside of the <c>steps</c> array) and optional further top-level
    /// properties, each written with a trailing comma (e.g. <c>"reentry": "always",</c>).
    /// </summary>
    public static FlowDefinition Flow(string startStepId, string steps, string extra = "") =>
        Parse($$"""{"name": "Test flow", {{extra}} "startStepId": "{{startStepId}}", "steps": [{{steps}}]}""");

    public static FlowContext Context(FlowDefinition definition, FlowStatus status = FlowStatus.Running, int version = 1, string flowId = FlowId) =>
        new(flowId, version, definition, status);

    public static Contact Contact(string id = ContactId) => new()
    {
        Id = id,
        Email = "ada@example.com",
        Phone = "+4791234567",
        PushToken = "push-token-1",
        FirstName = "Ada",
        LastName = "Lovelace",
        Company = "Acme AS",
        Attributes = ImmutableSortedDictionary<string, FieldValue>.Empty
            .Add("category", FieldValue.Of("customer"))
            .Add("score", FieldValue.Of(42))
            .Add("plan", FieldValue.Of("pro")),
        Tags = ["vip", "newsletter"],
        CreatedAt = Now.AddDays(-30),
        UpdatedAt = Now.AddDays(-30),
    };

    public static ContactEvent Event(string type, DateTimeOffset occurredAt, string? propertyName = null, FieldValue? propertyValue = null) => new()
    {
        Id = $"{type}@{occurredAt:O}",
        Type = type,
        OccurredAt = occurredAt,
        Properties = propertyName is null
            ? ImmutableSortedDictionary<string, FieldValue>.Empty
            : ImmutableSortedDictionary<string, FieldValue>.Empty.Add(propertyName, propertyValue ?? FieldValue.Null),
    };

    public static ContactSnapshot Snapshot(Contact contact, params ContactEvent[] events) => new(contact, [.. events]);

    public static ParticipantState NewParticipant() => new();

    public static InterpreterResult Enroll(FlowContext flow, Contact contact, DateTimeOffset now, params ContactEvent[] events) =>
        FlowInterpreter.Run(flow, NewParticipant(), Snapshot(contact, events), ParticipantInput.Enroll, now);

    public static InterpreterResult Enroll(FlowDefinition definition, Contact contact, params ContactEvent[] events) =>
        Enroll(Context(definition), contact, Now, events);

    public static InterpreterResult Wake(FlowContext flow, ParticipantState state, Contact contact, DateTimeOffset now, params ContactEvent[] events) =>
        FlowInterpreter.Run(flow, state, Snapshot(contact, events), ParticipantInput.Wake, now);

    /// <summary>
    /// An event reaching a participant: as in the grain, the contact's snapshot already holds the event (and
    /// any <paramref name="earlier"/> ones).
    /// </summary>
    public static InterpreterResult OnEvent(FlowContext flow, ParticipantState state, Contact contact, ContactEvent e, DateTimeOffset now, params ContactEvent[] earlier) =>
        FlowInterpreter.Run(flow, state, Snapshot(contact, [.. earlier, e]), new EventInput(e), now);

    public static FlowReferences References(IReadOnlySet<string>? allowedWebhookHosts = null) => new(
        new Dictionary<string, Channel> { ["welcome-email"] = Channel.Email, ["nudge-sms"] = Channel.Sms, ["promo-push"] = Channel.Push },
        new HashSet<string> { "vip-flow" },
        allowedWebhookHosts);
}
