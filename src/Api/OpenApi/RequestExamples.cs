using System.Text.Json.Nodes;

namespace Orleans.Flows.Api.OpenApi;

/// <summary>Realistic request bodies, one per body of the API (several where a body has several shapes).</summary>
public static class RequestExamples
{
    public static JsonNode Contact() => JsonNode.Parse("""
        {
          "email": "ada@example.com",
          "phone": "+4712345678",
          "firstName": "Ada",
          "lastName": "Lovelace",
          "company": "Analytical Engines",
          "timeZone": "Europe/Oslo",
          "attributes": {"category": "customer", "score": 12},
          "tags": ["vip"],
          "consent": {"email": true, "sms": true, "push": false}
        }
        """)!;

    public static JsonNode ContactChange() => JsonNode.Parse("""
        {"company": "Analytical Engines Ltd", "phone": null, "attributes": {"score": 15}}
        """)!;

    public static JsonNode ContactBatch() => JsonNode.Parse("""
        {
          "contacts": [
            {"id": "ada", "email": "ada@example.com", "firstName": "Ada", "attributes": {"category": "customer"}},
            {"id": "grace", "email": "grace@example.com", "firstName": "Grace", "consent": {"sms": false}}
          ]
        }
        """)!;

    public static JsonNode EventBatch() => JsonNode.Parse("""
        {
          "events": [
            {"id": "evt-1001", "contactId": "grace", "type": "form.submitted", "occurredAt": "2026-11-26T09:30:00Z", "properties": {"formId": "demo"}},
            {"id": "evt-1002", "contactId": "ada", "type": "sale.created", "properties": {"amount": 1200, "currency": "NOK"}}
          ]
        }
        """)!;

    public static JsonNode EmailContent() => JsonNode.Parse("""
        {
          "channel": "email",
          "name": "Welcome",
          "subject": "Welcome, {{ contact.firstName }}",
          "html": "<p>Hi {{ contact.firstName }}!</p><p>Thanks for choosing {{ contact.company | default: 'us' }}. <a href=\"https://example.com/start\">Get started</a></p>",
          "text": "Hi {{ contact.firstName }}! Get started: https://example.com/start",
          "from": "Acme <hello@acme.example>"
        }
        """)!;

    public static JsonNode SmsContent() => JsonNode.Parse("""
        {"channel": "sms", "name": "Nudge", "text": "Hi {{ contact.firstName }}, did you see our email?"}
        """)!;

    public static JsonNode PushContent() => JsonNode.Parse("""
        {"channel": "push", "name": "Offer", "title": "10% off this week", "body": "Just for you, {{ contact.firstName }}.", "url": "https://example.com/offer"}
        """)!;

    public static JsonNode FilterSegment() => JsonNode.Parse("""
        {
          "name": "Customers in Norway",
          "filter": {"all": [
            {"attribute": "attributes.category", "op": "eq", "value": "customer"},
            {"attribute": "timeZone", "op": "eq", "value": "Europe/Oslo"},
            {"not": {"attribute": "tags", "op": "contains", "value": "churned"}}
          ]}
        }
        """)!;

    public static JsonNode StaticSegment() => JsonNode.Parse("""
        {"name": "Webinar guests", "contactIds": ["ada", "grace"]}
        """)!;

    public static JsonNode ContactIds() => JsonNode.Parse("""
        {"contactIds": ["ada", "grace"]}
        """)!;

    public static JsonNode EnrollmentJob() => JsonNode.Parse("""
        {"segmentId": "customers", "jobId": "customers-2026-11"}
        """)!;

    /// <summary>sendEmail → wait → condition (opened?) → SMS nudge, then wait for a click, update the contact and create a CRM task.</summary>
    public static JsonNode Flow(bool withId = true)
    {
        var flow = JsonNode.Parse("""
            {
              "id": "welcome",
              "name": "Welcome new customers",
              "trigger": {"type": "manual"},
              "filter": {"attribute": "attributes.category", "op": "eq", "value": "customer"},
              "reentry": "never",
              "success": {"when": {"event": "sale.created"}, "then": "stop"},
              "schedule": {"timeZone": "Europe/Oslo",
                           "sendWindow": {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "17:00"}},
              "startStepId": "welcome",
              "steps": [
                {"id": "welcome", "type": "sendEmail", "contentId": "welcome-email", "next": "pause"},
                {"id": "pause", "type": "wait", "duration": "P2D", "next": "opened"},
                {"id": "opened", "type": "condition", "if": {"event": "email.opened", "stepId": "welcome"}, "then": "offer", "else": "nudge"},
                {"id": "nudge", "type": "sendSms", "contentId": "nudge-sms", "next": "offer"},
                {"id": "offer", "type": "waitForEvent", "event": "link.clicked", "timeout": "P7D", "next": "lead", "onTimeout": "done"},
                {"id": "lead", "type": "updateContact", "setAttributes": {"category": "lead"}, "incrementAttributes": {"score": 10}, "addTags": ["warm"], "next": "call"},
                {"id": "call", "type": "createActivity", "kind": "followUp", "title": "Call {{ contact.firstName }}", "next": "done"},
                {"id": "done", "type": "end"}
              ]
            }
            """)!;
        if (!withId) flow.AsObject().Remove("id");
        return flow;
    }

    public static JsonNode EventTriggeredFlow() => JsonNode.Parse("""
        {
          "id": "demo-leads",
          "name": "Nurture demo requests",
          "trigger": {"type": "event", "event": "form.submitted", "where": {"property": "formId", "op": "eq", "value": "demo"}},
          "reentry": {"after": "P30D"},
          "success": {"when": {"event": "sale.created"}, "then": "stop"},
          "startStepId": "thanks",
          "steps": [
            {"id": "thanks", "type": "sendEmail", "contentId": "thanks", "next": "split"},
            {"id": "split", "type": "split", "branches": [{"percent": 50, "next": "offer"}, {"percent": 50, "next": "later"}]},
            {"id": "later", "type": "wait", "untilTime": "09:00", "next": "offer"},
            {"id": "offer", "type": "sendPush", "contentId": "offer-push", "next": "notify"},
            {"id": "notify", "type": "webhook", "url": "https://crm.example.com/hooks/lead", "method": "POST",
             "body": "{\"contact\": \"{{ contact.id }}\"}", "next": "done"},
            {"id": "done", "type": "end"}
          ]
        }
        """)!;

    /// <summary>RFC 8058's one-click unsubscribe body, as a mail client posts it.</summary>
    public static JsonNode OneClickUnsubscribe() => JsonNode.Parse("""
        {"List-Unsubscribe": "One-Click"}
        """)!;
}
