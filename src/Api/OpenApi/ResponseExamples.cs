using System.Text.Json.Nodes;

namespace Orleans.Flows.Api.OpenApi;

/// <summary>Answers of the main calls, taken from a real run of the walk-through in the README.</summary>
public static class ResponseExamples
{
    public static JsonNode Contact() => JsonNode.Parse("""
        {"id": "ada", "email": "ada@example.com", "phone": "+4712345678", "pushToken": null, "firstName": "Ada", "lastName": "Lovelace",
         "company": "Analytical Engines", "timeZone": "Europe/Oslo", "attributes": {"category": "customer", "score": 12}, "tags": ["vip"],
         "consent": {"email": true, "sms": true, "push": false},
         "createdAt": "2026-11-26T10:18:43.6774754+00:00", "updatedAt": "2026-11-26T10:18:43.6774754+00:00",
         "flows": [{"flowId": "welcome", "status": "waiting", "currentStepId": "pause"}]}
        """)!;

    public static JsonNode ContactBatch() => JsonNode.Parse("""
        {"upserted": 1, "errors": [{"index": 1, "errors": {"$.contacts[1].email": ["is not an email address"]}}]}
        """)!;

    public static JsonNode EventBatch() => JsonNode.Parse("""
        {"accepted": 2, "duplicates": 0}
        """)!;

    public static JsonNode Content() => JsonNode.Parse("""
        {"id": "welcome-email", "channel": "email", "name": "Welcome", "subject": "Welcome, {{ contact.firstName }}",
         "html": "<p>Hi {{ contact.firstName }}!</p>", "text": null, "from": "Acme <hello@acme.example>", "title": null, "body": null, "url": null,
         "createdAt": "2026-11-26T10:18:43.4097184+00:00", "updatedAt": "2026-11-26T10:18:43.4097184+00:00"}
        """)!;

    public static JsonNode ContentList() => JsonNode.Parse("""
        {"items": [{"id": "nudge-sms", "channel": "sms", "name": "Nudge", "updatedAt": "2026-11-26T10:18:43.54989+00:00"},
                   {"id": "welcome-email", "channel": "email", "name": "Welcome", "updatedAt": "2026-11-26T10:18:43.4097184+00:00"}]}
        """)!;

    public static JsonNode Segment() => JsonNode.Parse("""
        {"id": "customers", "name": "Customers in Norway",
         "filter": {"all": [{"attribute": "attributes.category", "op": "eq", "value": "customer"}, {"attribute": "timeZone", "op": "eq", "value": "Europe/Oslo"}]},
         "count": 1, "createdAt": "2026-11-26T10:18:50.3799111+00:00", "updatedAt": "2026-11-26T10:18:50.3799111+00:00"}
        """)!;

    public static JsonNode SegmentAdded() => JsonNode.Parse("""{"added": 1}""")!;

    public static JsonNode Flow(string status = "draft")
    {
        var flow = JsonNode.Parse("""
            {"id": "welcome", "version": 1, "status": "draft",
             "createdAt": "2026-11-26T10:18:44.0121806+00:00", "updatedAt": "2026-11-26T10:18:44.0121806+00:00",
             "startedAt": null, "pausedAt": null, "endedAt": null}
            """)!.AsObject();
        flow["status"] = status;
        if (status != "draft") flow["startedAt"] = "2026-11-26T10:18:44.1340665+00:00";
        foreach (var (key, value) in RequestExamples.Flow().AsObject().ToList())
            if (key != "id") flow[key] = value?.DeepClone();
        return flow;
    }

    public static JsonNode FlowList() => JsonNode.Parse("""
        {"items": [{"id": "welcome", "name": "Welcome new customers", "status": "running", "version": 1, "enrolled": 1200, "active": 830,
                    "successRate": 0.12, "updatedAt": "2026-11-26T10:18:44.1340665+00:00"}],
         "nextCursor": "d2VsY29tZQ"}
        """)!;

    public static JsonNode Stats() => JsonNode.Parse("""
        {"enrolled": 1200, "active": 30, "waiting": 800, "completed": 200, "succeeded": 144, "exited": 20, "removed": 4, "failed": 2,
         "successRate": 0.12, "successful": 144,
         "steps": {"welcome": {"entered": 1200, "completed": 1200, "waiting": 0}, "pause": {"entered": 1200, "completed": 400, "waiting": 800}},
         "sends": {"sent": 1530, "delivered": 1490, "failed": 12, "opened": 610, "clicked": 140}}
        """)!;

    public static JsonNode Enrolled() => JsonNode.Parse("""
        {"enrolled": 1, "skipped": [{"contactId": "nobody", "reason": "contact_not_found"}]}
        """)!;

    public static JsonNode EnrollmentJobAccepted() => JsonNode.Parse("""
        {"jobId": "customers-2026-11", "status": "running", "total": 25000}
        """)!;

    public static JsonNode EnrollmentJob() => JsonNode.Parse("""
        {"jobId": "customers-2026-11", "flowId": "welcome", "segmentId": "customers", "status": "completed", "total": 25000, "processed": 25000,
         "enrolled": 24890, "skipped": 110, "skippedByReason": {"already_enrolled": 100, "no_consent": 10}, "error": null,
         "createdAt": "2026-11-26T10:18:50.7462303+00:00", "completedAt": "2026-11-26T10:19:02.9501182+00:00"}
        """)!;

    public static JsonNode ParticipantList() => JsonNode.Parse("""
        {"items": [{"contactId": "ada", "email": "ada@example.com", "company": "Analytical Engines", "enrolledAt": "2026-11-26T10:18:44.2383027+00:00",
                    "status": "waiting", "succeeded": false, "currentStepId": "pause",
                    "lastSending": {"contentId": "welcome-email", "channel": "email", "messageId": "m-c2b3a9146ed3684e9a5e337692e68b48",
                                    "at": "2026-11-26T10:18:44.8197973+00:00", "status": "sent"}}],
         "nextCursor": null}
        """)!;

    public static JsonNode Participant() => JsonNode.Parse("""
        {"flowId": "welcome", "contactId": "ada", "email": "ada@example.com", "company": "Analytical Engines",
         "enrolledAt": "2026-11-26T10:18:44.2383027+00:00", "status": "waiting", "succeeded": false, "currentStepId": "pause",
         "lastSending": {"contentId": "welcome-email", "channel": "email", "messageId": "m-c2b3a9146ed3684e9a5e337692e68b48",
                         "at": "2026-11-26T10:18:44.8197973+00:00", "status": "sent"},
         "version": 1, "wakeAt": "2026-11-28T10:18:44.2383027+00:00", "exitReason": null,
         "history": [
           {"stepId": null, "type": "enrolled", "scheduledAt": "2026-11-26T10:18:44.2383027+00:00", "at": "2026-11-26T10:18:44.2383027+00:00",
            "outcome": "enrolled", "reason": null, "next": "welcome", "until": null, "messageId": null},
           {"stepId": "welcome", "type": "sendEmail", "scheduledAt": "2026-11-26T10:18:44.2383027+00:00", "at": "2026-11-26T10:18:44.2383027+00:00",
            "outcome": "sent", "reason": null, "next": "pause", "until": null, "messageId": "m-c2b3a9146ed3684e9a5e337692e68b48"},
           {"stepId": "pause", "type": "wait", "scheduledAt": "2026-11-26T10:18:44.2383027+00:00", "at": "2026-11-26T10:18:44.2383027+00:00",
            "outcome": "waiting", "reason": null, "next": "opened", "until": "2026-11-28T10:18:44.2383027+00:00", "messageId": null}
         ]}
        """)!;

    public static JsonNode MessageList() => JsonNode.Parse("""
        {"items": [{"id": "m-c2b3a9146ed3684e9a5e337692e68b48", "channel": "email", "flowId": "welcome", "stepId": "welcome", "contactId": "ada",
                    "contentId": "welcome-email", "to": "ada@example.com", "subject": "Welcome, Ada", "status": "sent", "attempts": 1, "error": null,
                    "createdAt": "2026-11-26T10:18:44.2383027+00:00", "sentAt": "2026-11-26T10:18:44.8197973+00:00"}],
         "nextCursor": null}
        """)!;

    public static JsonNode Message() => JsonNode.Parse("""
        {"id": "m-c2b3a9146ed3684e9a5e337692e68b48", "channel": "email", "flowId": "welcome", "stepId": "welcome", "contactId": "ada",
         "contentId": "welcome-email", "to": "ada@example.com", "subject": "Welcome, Ada", "status": "sent", "attempts": 1, "error": null,
         "createdAt": "2026-11-26T10:18:44.2383027+00:00", "sentAt": "2026-11-26T10:18:44.8197973+00:00",
         "from": "Acme <hello@acme.example>",
         "html": "<p>Hi Ada!</p><p style=\"font-size:12px;color:#666666\"><a href=\"https://flows.example.com/u/AQIibS1jMmIz…\">Unsubscribe</a></p>",
         "text": null, "title": null, "url": null, "method": null, "payload": null,
         "unsubscribeUrl": "https://flows.example.com/u/AQIibS1jMmIz…"}
        """)!;
}
