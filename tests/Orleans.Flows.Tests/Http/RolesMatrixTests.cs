using System.Net;
using System.Text;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary>
/// API.md's role table, call by call: admin may do everything; editor reads flows, stats, participants (and what they
/// show: contacts, content, segments, messages) and creates and edits content; ingest writes contacts and events only.
/// No key or an unknown key is 401, a role that may not is 403, and a refused call changes nothing.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RolesMatrixTests(ApiFixture api)
{
    private const string Admin = "admin";
    private const string Editor = "editor";
    private const string Ingest = "ingest";
    private const string NoKey = "no key";
    private const string UnknownKey = "unknown key";

    /// <summary>A call of API.md and the roles that may make it.</summary>
    private sealed record Call(string Name, string[] Allowed, Func<HttpClient, Task<Prepared>> Prepare);

    /// <summary>The request, what an allowed role gets, and a snapshot (taken before the call) of what a refused call must not change.</summary>
    private sealed record Prepared(HttpMethod Method, string Url, string? Body, HttpStatusCode Success, Func<Task<Func<Task>>> Watch);

    private static Prepared Send(HttpMethod method, string url, string? body, HttpStatusCode success, HttpClient admin, params string[] watched) =>
        new(method, url, body, success, () => StateWatch.Snapshot(admin, watched));

    private static readonly Call[] Calls =
    [
        new("contacts: upsert", [Admin, Ingest], async admin =>
        {
            var id = TestIds.New("contact");
            return Send(HttpMethod.Put, $"/v1/contacts/{id}", """{"email": "matrix@example.com"}""", HttpStatusCode.OK, admin, $"/v1/contacts/{id}");
        }),
        new("contacts: batch", [Admin, Ingest], async admin =>
        {
            var id = TestIds.New("contact");
            return Send(HttpMethod.Post, "/v1/contacts/batch", $$"""{"contacts": [{"id": "{{id}}"}]}""", HttpStatusCode.OK, admin, $"/v1/contacts/{id}");
        }),
        new("contacts: read", [Admin, Editor], async admin =>
        {
            var id = await admin.Contact();
            return Send(HttpMethod.Get, $"/v1/contacts/{id}", null, HttpStatusCode.OK, admin, $"/v1/contacts/{id}");
        }),
        new("contacts: delete", [Admin, Ingest], async admin =>
        {
            var id = await admin.Contact();
            return Send(HttpMethod.Delete, $"/v1/contacts/{id}", null, HttpStatusCode.NoContent, admin, $"/v1/contacts/{id}");
        }),
        new("events: post", [Admin, Ingest], async admin =>
        {
            var contact = await admin.Contact();
            var eventId = TestIds.New("event");
            return new(HttpMethod.Post, "/v1/events", "{\"events\": [" + HttpKit.Event(contact, "matrix.check", id: eventId) + "]}", HttpStatusCode.Accepted,
                () => Task.FromResult(StateWatch.EventNotRecorded(admin, contact, eventId)));
        }),
        new("content: create", [Admin, Editor], async admin =>
        {
            var id = TestIds.New("content");
            return Send(HttpMethod.Put, $"/v1/content/{id}", """{"channel": "sms", "name": "Matrix", "text": "Hi"}""", HttpStatusCode.OK, admin, $"/v1/content/{id}");
        }),
        new("content: edit", [Admin, Editor], async admin =>
        {
            var id = await admin.SmsContent();
            return Send(HttpMethod.Put, $"/v1/content/{id}", """{"channel": "sms", "name": "Edited", "text": "Hello"}""", HttpStatusCode.OK, admin, $"/v1/content/{id}");
        }),
        new("content: list", [Admin, Editor], admin => Task.FromResult(Send(HttpMethod.Get, "/v1/content", null, HttpStatusCode.OK, admin))),
        new("content: read", [Admin, Editor], async admin =>
        {
            var id = await admin.SmsContent();
            return Send(HttpMethod.Get, $"/v1/content/{id}", null, HttpStatusCode.OK, admin, $"/v1/content/{id}");
        }),
        new("content: delete", [Admin], async admin =>
        {
            var id = await admin.SmsContent();
            return Send(HttpMethod.Delete, $"/v1/content/{id}", null, HttpStatusCode.NoContent, admin, $"/v1/content/{id}");
        }),
        new("flows: create", [Admin], async admin =>
        {
            var id = TestIds.New("flow");
            var body = HttpKit.SendWaitSend("Matrix " + id, await admin.EmailContent(), await admin.SmsContent(), id: id);
            return Send(HttpMethod.Post, "/v1/flows", body, HttpStatusCode.Created, admin, $"/v1/flows/{id}");
        }),
        new("flows: edit", [Admin], async admin =>
        {
            var id = await admin.Flow();
            var definition = (await (await admin.GetAsync($"/v1/flows/{id}")).Expect(HttpStatusCode.OK)).GetRawText();
            return Send(HttpMethod.Put, $"/v1/flows/{id}", definition, HttpStatusCode.OK, admin, $"/v1/flows/{id}");
        }),
        new("flows: list", [Admin, Editor], admin => Task.FromResult(Send(HttpMethod.Get, "/v1/flows", null, HttpStatusCode.OK, admin))),
        new("flows: read", [Admin, Editor], async admin =>
        {
            var id = await admin.Flow();
            return Send(HttpMethod.Get, $"/v1/flows/{id}", null, HttpStatusCode.OK, admin, $"/v1/flows/{id}");
        }),
        new("flows: start", [Admin], async admin =>
        {
            var id = await admin.Flow();
            return Send(HttpMethod.Post, $"/v1/flows/{id}/start", null, HttpStatusCode.OK, admin, $"/v1/flows/{id}");
        }),
        new("flows: pause", [Admin], async admin =>
        {
            var id = await admin.Flow(start: true);
            return Send(HttpMethod.Post, $"/v1/flows/{id}/pause", null, HttpStatusCode.OK, admin, $"/v1/flows/{id}");
        }),
        new("flows: end", [Admin], async admin =>
        {
            var id = await admin.Flow(start: true);
            return Send(HttpMethod.Post, $"/v1/flows/{id}/end", null, HttpStatusCode.OK, admin, $"/v1/flows/{id}");
        }),
        new("flows: delete", [Admin], async admin =>
        {
            var id = await admin.Flow();
            return Send(HttpMethod.Delete, $"/v1/flows/{id}", null, HttpStatusCode.NoContent, admin, $"/v1/flows/{id}");
        }),
        new("flows: stats", [Admin, Editor], async admin =>
        {
            var id = await admin.Flow();
            return Send(HttpMethod.Get, $"/v1/flows/{id}/stats", null, HttpStatusCode.OK, admin, $"/v1/flows/{id}");
        }),
        new("participants: enroll", [Admin], async admin =>
        {
            var flow = await admin.Flow(start: true);
            var contact = await admin.Contact();
            return Send(HttpMethod.Post, $"/v1/flows/{flow}/participants", $$"""{"contactIds": ["{{contact}}"]}""", HttpStatusCode.OK, admin,
                $"/v1/flows/{flow}/participants/{contact}");
        }),
        new("participants: list", [Admin, Editor], async admin =>
        {
            var flow = await admin.Flow(start: true);
            return Send(HttpMethod.Get, $"/v1/flows/{flow}/participants", null, HttpStatusCode.OK, admin, $"/v1/flows/{flow}");
        }),
        new("participants: read", [Admin, Editor], async admin =>
        {
            var flow = await admin.Flow(start: true);
            var contact = await admin.Contact();
            await admin.Enroll(flow, contact);
            return Send(HttpMethod.Get, $"/v1/flows/{flow}/participants/{contact}", null, HttpStatusCode.OK, admin, $"/v1/flows/{flow}");
        }),
        new("participants: remove", [Admin], async admin =>
        {
            var flow = await admin.Flow(start: true);
            var contact = await admin.Contact();
            await admin.Enroll(flow, contact);
            // Waits at "pause" for a day: nothing moves between the snapshot and the check.
            await admin.EventuallyParticipant(flow, contact, p => p.Str("status") == "waiting", "the participant waits");
            return Send(HttpMethod.Delete, $"/v1/flows/{flow}/participants/{contact}", null, HttpStatusCode.NoContent, admin,
                $"/v1/flows/{flow}/participants/{contact}");
        }),
        new("enrollment jobs: start", [Admin], async admin =>
        {
            var flow = await admin.Flow(start: true);
            var segment = await StaticSegment(admin);
            var job = TestIds.New("job");
            return Send(HttpMethod.Post, $"/v1/flows/{flow}/enrollments", $$"""{"segmentId": "{{segment}}", "jobId": "{{job}}"}""", HttpStatusCode.Accepted, admin,
                $"/v1/flows/{flow}/enrollments/{job}");
        }),
        new("enrollment jobs: read", [Admin, Editor], async admin =>
        {
            var flow = await admin.Flow(start: true);
            var segment = await StaticSegment(admin);
            var job = TestIds.New("job");
            await (await admin.PostJson($"/v1/flows/{flow}/enrollments", $$"""{"segmentId": "{{segment}}", "jobId": "{{job}}"}""")).Expect(HttpStatusCode.Accepted);
            return Send(HttpMethod.Get, $"/v1/flows/{flow}/enrollments/{job}", null, HttpStatusCode.OK, admin);
        }),
        new("segments: write", [Admin], async admin =>
        {
            var id = TestIds.New("segment");
            return Send(HttpMethod.Put, $"/v1/segments/{id}", """{"name": "Matrix", "contactIds": []}""", HttpStatusCode.OK, admin, $"/v1/segments/{id}");
        }),
        new("segments: read", [Admin, Editor], async admin =>
        {
            var id = await StaticSegment(admin);
            return Send(HttpMethod.Get, $"/v1/segments/{id}", null, HttpStatusCode.OK, admin, $"/v1/segments/{id}");
        }),
        new("segments: add members", [Admin], async admin =>
        {
            var id = await StaticSegment(admin);
            var contact = await admin.Contact();
            return Send(HttpMethod.Post, $"/v1/segments/{id}/members", $$"""{"contactIds": ["{{contact}}"]}""", HttpStatusCode.OK, admin, $"/v1/segments/{id}");
        }),
        new("segments: remove a member", [Admin], async admin =>
        {
            var contact = await admin.Contact();
            var id = await StaticSegment(admin, contact);
            return Send(HttpMethod.Delete, $"/v1/segments/{id}/members/{contact}", null, HttpStatusCode.NoContent, admin, $"/v1/segments/{id}");
        }),
        new("messages: list", [Admin, Editor], admin => Task.FromResult(Send(HttpMethod.Get, "/v1/messages?limit=1", null, HttpStatusCode.OK, admin))),
        // Allowed means getting past authorization: an unknown message is 404, not 403.
        new("messages: read", [Admin, Editor], admin => Task.FromResult(Send(HttpMethod.Get, $"/v1/messages/{TestIds.New("m")}", null, HttpStatusCode.NotFound, admin))),
    ];

    private static readonly string[] Roles = [Admin, Editor, Ingest, NoKey, UnknownKey];

    public static TheoryData<string, string> Table()
    {
        var data = new TheoryData<string, string>();
        foreach (var call in Calls)
            foreach (var role in Roles)
                data.Add(call.Name, role);
        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public async Task EachRoleGetsWhatApiMdSays(string callName, string role)
    {
        var call = Calls.Single(c => c.Name == callName);
        var admin = api.Client(ApiFixture.AdminKey);
        var prepared = await call.Prepare(admin);
        var verify = await prepared.Watch();

        using var request = new HttpRequestMessage(prepared.Method, prepared.Url);
        if (prepared.Body is not null) request.Content = new StringContent(prepared.Body, Encoding.UTF8, "application/json");
        using var response = await ClientOf(role).SendAsync(request);

        var refusal = role switch
        {
            NoKey or UnknownKey => HttpStatusCode.Unauthorized,
            _ when call.Allowed.Contains(role) => (HttpStatusCode?)null,
            _ => HttpStatusCode.Forbidden,
        };
        if (refusal is { } status)
        {
            await response.ExpectProblem(status);
            await verify();
        }
        else
        {
            await response.Expect(prepared.Success);
        }
    }

    private HttpClient ClientOf(string role) => role switch
    {
        Admin => api.Client(ApiFixture.AdminKey),
        Editor => api.Client(ApiFixture.EditorKey),
        Ingest => api.Client(ApiFixture.IngestKey),
        NoKey => api.Client(null),
        _ => api.Client("unknown-" + Guid.NewGuid().ToString("N")),
    };

    private static async Task<string> StaticSegment(HttpClient admin, params string[] contactIds)
    {
        var id = TestIds.New("segment");
        var ids = string.Join(", ", contactIds.Select(c => $"\"{c}\""));
        await (await admin.PutJson($"/v1/segments/{id}", $$"""{"name": "Segment {{id}}", "contactIds": [{{ids}}]}""")).Expect(HttpStatusCode.OK);
        return id;
    }
}
