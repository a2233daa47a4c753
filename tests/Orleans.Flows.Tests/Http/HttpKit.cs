using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary>Requests and assertions the HTTP tests share: raw JSON bodies, problem responses, and quick set-up of contacts, content and flows.</summary>
internal static class HttpKit
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> PutJson(this HttpClient client, string url, string json) => client.PutAsync(url, Json(json));

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, string json) => client.PostAsync(url, Json(json));

    public static Task<HttpResponseMessage> Post(this HttpClient client, string url) => client.PostAsync(url, null);

    /// <summary>The status <paramref name="url"/> answers with, or null while nothing answers (a service still starting).</summary>
    public static async Task<HttpStatusCode?> StatusOrNullAsync(this HttpClient client, string url)
    {
        try
        {
            using var response = await client.GetAsync(url);
            return response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public static async Task<JsonElement> Body(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.False(string.IsNullOrEmpty(text), $"{(int)response.StatusCode} came without a body");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts the status and returns the JSON body; on a mismatch the message shows the body.</summary>
    public static async Task<JsonElement> Expect(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: expected {(int)status} but got {(int)response.StatusCode}: {text}");
        return string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 7807 problem with this status, and returns it.</summary>
    public static async Task<JsonElement> ExpectProblem(this HttpResponseMessage response, HttpStatusCode status)
    {
        var problem = await response.Expect(status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()), "a problem needs a title");
        return problem;
    }

    /// <summary>Asserts a 400 validation problem that names <paramref name="path"/> in its errors, and returns the errors.</summary>
    public static async Task<JsonElement> ExpectInvalid(this HttpResponseMessage response, string path)
    {
        var errors = await response.ExpectInvalid();
        Assert.True(errors.TryGetProperty(path, out var messages), $"expected an error at \"{path}\"; errors: {errors}");
        Assert.True(messages.GetArrayLength() > 0 && !string.IsNullOrWhiteSpace(messages[0].GetString()), $"the error at \"{path}\" has no message");
        return errors;
    }

    /// <summary>Asserts a 400 validation problem with at least one error whose key starts with <paramref name="prefix"/>.</summary>
    public static async Task<JsonElement> ExpectInvalidUnder(this HttpResponseMessage response, string prefix)
    {
        var errors = await response.ExpectInvalid();
        Assert.True(errors.EnumerateObject().Any(e => e.Name.StartsWith(prefix, StringComparison.Ordinal)),
            $"expected an error under \"{prefix}\"; errors: {errors}");
        return errors;
    }

    public static async Task<JsonElement> ExpectInvalid(this HttpResponseMessage response)
    {
        var problem = await response.ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object, $"a validation problem needs errors: {problem}");
        Assert.NotEmpty(errors.EnumerateObject());
        return errors;
    }

    public static string? Str(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetString() : null;

    public static bool IsAbsentOrNull(this JsonElement element, string name) =>
        !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null;

    /// <summary>Polls a GET until its 200 body satisfies <paramref name="condition"/>.</summary>
    public static Task<JsonElement> EventuallyGet(this HttpClient client, string url, Func<JsonElement, bool> condition, string what) =>
        Eventually.Matches(
            async () =>
            {
                using var response = await client.GetAsync(url);
                var text = await response.Content.ReadAsStringAsync();
                return response.StatusCode == HttpStatusCode.OK ? JsonDocument.Parse(text).RootElement.Clone() : default;
            },
            body => body.ValueKind == JsonValueKind.Object && condition(body),
            Timeout,
            what);

    // ---- set-up ----

    public static async Task<string> Contact(this HttpClient admin, string? json = null, string prefix = "contact")
    {
        var id = TestIds.New(prefix);
        (await admin.PutJson($"/v1/contacts/{id}", json ?? $$"""{"email": "{{id}}@example.com", "company": "Acme"}""")).EnsureSuccessStatusCode();
        return id;
    }

    public static async Task<string> EmailContent(this HttpClient admin)
    {
        var id = TestIds.New("email");
        await (await admin.PutJson($"/v1/content/{id}",
            """{"channel": "email", "name": "Welcome", "subject": "Hello {{ contact.firstName }}", "html": "<p>Hi {{ contact.firstName }}</p>"}"""))
            .Expect(HttpStatusCode.OK);
        return id;
    }

    public static async Task<string> SmsContent(this HttpClient admin)
    {
        var id = TestIds.New("sms");
        await (await admin.PutJson($"/v1/content/{id}", """{"channel": "sms", "name": "Nudge", "text": "Hi {{ contact.firstName }}"}""")).Expect(HttpStatusCode.OK);
        return id;
    }

    /// <summary>A definition: sendEmail → wait → sendSms → end, with a wait of <paramref name="wait"/>.</summary>
    public static string SendWaitSend(string name, string emailId, string smsId, string wait = "P1D", string extra = "", string? id = null) => $$"""
        {{{(id is null ? "" : $"\"id\": \"{id}\",")}}
          "name": "{{name}}",
          "trigger": {"type": "manual"},{{extra}}
          "startStepId": "first",
          "steps": [
            {"id": "first", "type": "sendEmail", "contentId": "{{emailId}}", "next": "pause"},
            {"id": "pause", "type": "wait", "duration": "{{wait}}", "next": "second"},
            {"id": "second", "type": "sendSms", "contentId": "{{smsId}}", "next": "done"},
            {"id": "done", "type": "end"}
          ]
        }
        """;

    /// <summary>Creates content and a send → wait → send flow; returns its id (draft, or running when <paramref name="start"/>).</summary>
    public static async Task<string> Flow(this HttpClient admin, bool start = false, string wait = "P1D", string? name = null, string extra = "")
    {
        var email = await admin.EmailContent();
        var sms = await admin.SmsContent();
        var id = TestIds.New("flow");
        var body = SendWaitSend(name ?? "Flow " + id, email, sms, wait, extra, id);
        await (await admin.PostJson("/v1/flows", body)).Expect(HttpStatusCode.Created);
        if (start) await (await admin.Post($"/v1/flows/{id}/start")).Expect(HttpStatusCode.OK);
        return id;
    }

    public static async Task Enroll(this HttpClient admin, string flowId, params string[] contactIds)
    {
        var result = await (await admin.PostAsJsonAsync($"/v1/flows/{flowId}/participants", new { contactIds })).Expect(HttpStatusCode.OK);
        Assert.Equal(contactIds.Length, result.GetProperty("enrolled").GetInt32());
    }

    /// <summary>Creates a flow from a definition (its id is generated) and starts it unless told not to; returns its id.</summary>
    public static async Task<string> CreateFlow(this HttpClient admin, string definition, bool start = true)
    {
        var flow = await (await admin.PostJson("/v1/flows", definition)).Expect(HttpStatusCode.Created);
        var id = flow.Str("id");
        Assert.False(string.IsNullOrEmpty(id), $"the created flow has no id: {flow}");
        if (start) await (await admin.Post($"/v1/flows/{id}/start")).Expect(HttpStatusCode.OK);
        return id!;
    }

    // ---- events ----

    /// <summary>
    /// One event as JSON, under a fresh id unless <paramref name="id"/> is given; <paramref name="properties"/> is a JSON
    /// object and <paramref name="extra"/> more fields, e.g. <c>"occurredAt": "…"</c>.
    /// </summary>
    public static string Event(string contactId, string type, string? properties = null, string? id = null, string? extra = null)
    {
        var fields = new List<string>
        {
            $"\"id\": \"{id ?? TestIds.New("event")}\"",
            $"\"contactId\": \"{contactId}\"",
            $"\"type\": \"{type}\"",
        };
        if (properties is not null) fields.Add($"\"properties\": {properties}");
        if (extra is not null) fields.Add(extra);
        return "{" + string.Join(", ", fields) + "}";
    }

    public static Task<HttpResponseMessage> PostEvents(this HttpClient client, params string[] events) =>
        client.PostJson("/v1/events", "{\"events\": [" + string.Join(", ", events) + "]}");

    /// <summary>Posts events, asserts <c>202 {accepted, duplicates}</c> and returns the two counts.</summary>
    public static async Task<(int Accepted, int Duplicates)> Ingest(this HttpClient client, params string[] events)
    {
        var result = await (await client.PostEvents(events)).Expect(HttpStatusCode.Accepted);
        return (result.GetProperty("accepted").GetInt32(), result.GetProperty("duplicates").GetInt32());
    }

    // ---- reading journeys ----

    public static Task<JsonElement> EventuallyParticipant(this HttpClient client, string flowId, string contactId, Func<JsonElement, bool> condition, string what) =>
        client.EventuallyGet($"/v1/flows/{flowId}/participants/{contactId}", condition, what);

    public static Task<JsonElement> EventuallyStats(this HttpClient client, string flowId, Func<JsonElement, bool> condition, string what) =>
        client.EventuallyGet($"/v1/flows/{flowId}/stats", condition, what);

    public static long Long(this JsonElement element, string name) => element.GetProperty(name).GetInt64();

    public static List<JsonElement> History(this JsonElement participant) => [.. participant.GetProperty("history").EnumerateArray()];

    /// <summary>For what must not happen: asserts that <paramref name="condition"/> holds on every probe for <paramref name="period"/>.</summary>
    public static async Task Stays(Func<Task<bool>> condition, TimeSpan period, string what)
    {
        var deadline = DateTime.UtcNow + period;
        do
        {
            Assert.True(await condition(), $"no longer true: {what}");
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
    }

    /// <summary>True while the contact has no participant in the flow.</summary>
    public static async Task<bool> NotInFlow(this HttpClient client, string flowId, string contactId)
    {
        using var response = await client.GetAsync($"/v1/flows/{flowId}/participants/{contactId}");
        return response.StatusCode == HttpStatusCode.NotFound;
    }
}
