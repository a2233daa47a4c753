using System.Net;
using System.Text;
using System.Text.Json;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary>
/// Malformed, truncated, wrong-typed, oversized, deeply nested and injection-shaped input to every endpoint that takes
/// input: each is a 4xx problem (never a 5xx), and the state it aimed at is as it was.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class HostileInputTests(ApiFixture api)
{
    private static readonly string LongId = new('a', 129);
    private static readonly string Megabyte = new('x', 1024 * 1024);

    /// <summary>Where a hostile request goes, and the snapshot (taken before it) of what must not change.</summary>
    private sealed record Target(string Url, Func<Task<Func<Task>>> Watch, Dictionary<string, string> Names);

    private sealed record BodyEndpoint(string Name, HttpMethod Method, Func<HttpClient, Task<Target>> Prepare, Dictionary<string, string> Bodies);

    // ---- bodies any JSON endpoint must refuse ----

    private static readonly Dictionary<string, Func<HttpContent>> AnyEndpoint = new()
    {
        ["malformed JSON"] = () => HttpKit.Json("""{"name": }"""),
        ["truncated JSON"] = () => HttpKit.Json("""{"contacts": [{"id": "x", "name": "y"""),
        ["empty body"] = () => HttpKit.Json(""),
        ["an array for an object"] = () => HttpKit.Json("[]"),
        ["a string for an object"] = () => HttpKit.Json("\"hello\""),
        ["a number for an object"] = () => HttpKit.Json("42"),
        ["null for an object"] = () => HttpKit.Json("null"),
        ["10 000 nested arrays"] = () => HttpKit.Json(new string('[', 10_000) + new string(']', 10_000)),
        ["10 000 nested objects"] = () => HttpKit.Json(string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000)),
        ["invalid UTF-8 in a string"] = () => Bytes([.. "{\"name\": \""u8, 0xFF, 0xFE, .. "\", \"contactIds\": [\"x\"]}"u8], "application/json"),
        ["invalid UTF-8 in a name"] = () => Bytes([.. "{\""u8, 0xC3, 0x28, .. "\": 1}"u8], "application/json"),
        ["U+0000 in a string"] = () => HttpKit.Json("""{"name": "a\u0000b", "contactIds": ["a\u0000b"]}"""),
        ["a lone surrogate"] = () => HttpKit.Json("""{"name": "\ud800", "text": "\udc00x"}"""),
        ["text/plain"] = () => new StringContent("{}", Encoding.UTF8, "text/plain"),
        ["a form"] = () => new FormUrlEncodedContent([new("name", "x")]),
        ["XML"] = () => new StringContent("<contact><id>x</id></contact>", Encoding.UTF8, "application/xml"),
    };

    private static readonly string[] DeepNot = [string.Concat(Enumerable.Repeat("{\"not\": ", 40)) + """{"attribute": "email", "op": "exists"}""" + new string('}', 40)];

    private static string Flow(string extra = "", string steps = """[{"id": "done", "type": "end"}]""", string start = "done") =>
        $$"""{{{extra}} "name": "Hostile", "trigger": {"type": "manual"}, "startStepId": "{{start}}", "steps": {{steps}}}""";

    private static readonly BodyEndpoint[] Bodies =
    [
        new("PUT /v1/contacts/{id}", HttpMethod.Put, async admin =>
        {
            var id = TestIds.New("contact");
            return new($"/v1/contacts/{id}", () => StateWatch.Snapshot(admin, $"/v1/contacts/{id}"), []);
        }, new()
        {
            ["a number for a string"] = """{"email": 5}""",
            ["an array for attributes"] = """{"attributes": []}""",
            ["a string for tags"] = """{"tags": "vip"}""",
            ["a string for a consent"] = """{"consent": {"email": "yes"}}""",
            ["a string for consent"] = """{"consent": "all"}""",
            ["an object as an attribute"] = """{"attributes": {"a": {"b": 1}}}""",
            ["a megabyte name"] = $$"""{"firstName": "{{Megabyte}}"}""",
            ["201 tags"] = "{\"tags\": [" + string.Join(", ", Enumerable.Range(0, 201).Select(i => $"\"t{i}\"")) + "]}",
            ["SQL as an attribute name"] = """{"attributes": {"'; drop table contacts;--": 1}}""",
            ["a path as a time zone"] = """{"timeZone": "../../etc/passwd"}""",
            ["script as an email"] = """{"email": "<script>alert(1)</script>"}""",
        }),
        new("POST /v1/contacts/batch", HttpMethod.Post, async admin =>
        {
            var id = TestIds.New("contact");
            return new("/v1/contacts/batch", () => StateWatch.Snapshot(admin, $"/v1/contacts/{id}"), new() { ["contact"] = id });
        }, new()
        {
            ["an object for contacts"] = """{"contacts": {"id": "{contact}"}}""",
            ["null for contacts"] = """{"contacts": null}""",
            ["no contacts"] = """{"people": [{"id": "{contact}"}]}""",
            ["10 001 contacts"] = "{\"contacts\": [" + string.Join(", ", Enumerable.Repeat("{\"id\": \"{contact}\"}", 10_001)) + "]}",
        }),
        new("POST /v1/events", HttpMethod.Post, async admin =>
        {
            var contact = await admin.Contact();
            var eventId = TestIds.New("event");
            return new("/v1/events", () => Task.FromResult(StateWatch.EventNotRecorded(admin, contact, eventId)), new() { ["contact"] = contact, ["event"] = eventId });
        }, new()
        {
            ["an object for events"] = """{"events": {"id": "{event}", "contactId": "{contact}", "type": "x"}}""",
            ["no events"] = """{"events": []}""",
            ["a number for an id"] = """{"events": [{"id": 5, "contactId": "{contact}", "type": "x"}]}""",
            ["SQL as a contact id"] = """{"events": [{"id": "{event}", "contactId": "'; drop table contacts;--", "type": "x"}]}""",
            ["a path as a contact id"] = """{"events": [{"id": "{event}", "contactId": "../../etc/passwd", "type": "x"}]}""",
            ["a 129-character id"] = $$"""{"events": [{"id": "{{LongId}}", "contactId": "{contact}", "type": "x"}]}""",
            ["a type with spaces"] = """{"events": [{"id": "{event}", "contactId": "{contact}", "type": "a b"}]}""",
            ["a word as occurredAt"] = """{"events": [{"id": "{event}", "contactId": "{contact}", "type": "x", "occurredAt": "yesterday"}]}""",
            ["an array as properties"] = """{"events": [{"id": "{event}", "contactId": "{contact}", "type": "x", "properties": []}]}""",
            ["one bad event among good ones"] = """{"events": [{"id": "{event}", "contactId": "{contact}", "type": "x"}, {"id": "", "contactId": "{contact}", "type": "x"}]}""",
            ["10 001 events"] = "{\"events\": [" + string.Join(", ", Enumerable.Range(0, 10_001).Select(i => $"{{\"id\": \"{{event}}-{i}\", \"contactId\": \"{{contact}}\", \"type\": \"x\"}}")) + "]}",
        }),
        new("PUT /v1/content/{id}", HttpMethod.Put, async admin =>
        {
            var id = TestIds.New("content");
            return new($"/v1/content/{id}", () => StateWatch.Snapshot(admin, $"/v1/content/{id}"), []);
        }, new()
        {
            ["an unknown channel"] = """{"channel": "fax", "name": "x", "text": "y"}""",
            ["a number for a channel"] = """{"channel": 1, "name": "x", "text": "y"}""",
            ["an array for a name"] = """{"channel": "sms", "name": ["x"], "text": "y"}""",
            ["no channel"] = """{"name": "x", "text": "y"}""",
            ["an SMS of 2 000 characters"] = $$"""{"channel": "sms", "name": "x", "text": "{{new string('x', 2000)}}"}""",
            ["broken Liquid"] = """{"channel": "email", "name": "x", "subject": "s", "html": "{% if contact.email %}<p>unclosed"}""",
            ["a megabyte name"] = $$"""{"channel": "sms", "name": "{{Megabyte}}", "text": "y"}""",
        }),
        new("POST /v1/flows", HttpMethod.Post, async admin =>
        {
            var id = TestIds.New("flow");
            return new("/v1/flows", () => StateWatch.Snapshot(admin, $"/v1/flows/{id}"), new() { ["flow"] = id });
        }, new()
        {
            ["an unknown trigger type"] = Flow("\"id\": \"{flow}\",").Replace("\"manual\"", "\"teleport\"", StringComparison.Ordinal),
            ["an unknown step type"] = Flow("\"id\": \"{flow}\",", """[{"id": "done", "type": "teleport"}]"""),
            ["an object for steps"] = Flow("\"id\": \"{flow}\",", """{"id": "done", "type": "end"}"""),
            ["an unknown reentry"] = Flow("\"id\": \"{flow}\", \"reentry\": \"sometimes\","),
            ["a number for a name"] = Flow("\"id\": \"{flow}\",").Replace("\"Hostile\"", "5", StringComparison.Ordinal),
            ["a word as a duration"] = Flow("\"id\": \"{flow}\",", """[{"id": "w", "type": "wait", "duration": "forever", "next": "done"}, {"id": "done", "type": "end"}]""", "w"),
            ["conditions nested 40 deep"] = Flow("\"id\": \"{flow}\", \"filter\": " + DeepNot[0] + ","),
            ["an unknown operator"] = Flow("\"id\": \"{flow}\", \"filter\": {\"attribute\": \"email\", \"op\": \"like\", \"value\": \"%\"},"),
            ["a path as an id"] = Flow("\"id\": \"../../etc/passwd\","),
            ["Liquid as an id"] = Flow("\"id\": \"{{ contact.email }}\","),
            ["a file url in a webhook"] = Flow("\"id\": \"{flow}\",", """[{"id": "hook", "type": "webhook", "url": "file:///etc/passwd", "method": "GET", "next": "done"}, {"id": "done", "type": "end"}]""", "hook"),
            ["a split over 100 percent"] = Flow("\"id\": \"{flow}\",", """[{"id": "s", "type": "split", "branches": [{"percent": 90, "next": "done"}, {"percent": 90, "next": "done"}]}, {"id": "done", "type": "end"}]""", "s"),
            ["a huge number as a percent"] = Flow("\"id\": \"{flow}\",", """[{"id": "s", "type": "split", "branches": [{"percent": 1e400, "next": "done"}]}, {"id": "done", "type": "end"}]""", "s"),
            ["a 129-character step id"] = Flow("\"id\": \"{flow}\",", $$"""[{"id": "{{LongId}}", "type": "end"}]""", LongId),
        }),
        new("PUT /v1/flows/{id}", HttpMethod.Put, async admin =>
        {
            var id = await admin.Flow();
            return new($"/v1/flows/{id}", () => StateWatch.Snapshot(admin, $"/v1/flows/{id}"), []);
        }, new()
        {
            ["an unknown step type"] = Flow(steps: """[{"id": "done", "type": "teleport"}]"""),
            ["an unknown channel's step"] = Flow(steps: """[{"id": "done", "type": "sendFax", "contentId": "x"}]"""),
            ["conditions nested 40 deep"] = Flow("\"success\": {\"when\": " + DeepNot[0] + ", \"then\": \"stop\"},"),
            ["null steps"] = Flow(steps: "null"),
            ["a null step"] = Flow(steps: "[null]"),
        }),
        new("POST /v1/flows/{id}/participants", HttpMethod.Post, async admin =>
        {
            var flow = await admin.Flow(start: true);
            var contact = await admin.Contact();
            return new($"/v1/flows/{flow}/participants", () => StateWatch.Snapshot(admin, $"/v1/flows/{flow}/participants/{contact}"), new() { ["contact"] = contact });
        }, new()
        {
            ["a string for contactIds"] = """{"contactIds": "{contact}"}""",
            ["no contactIds"] = """{"contactIds": []}""",
            ["a number as a contact id"] = """{"contactIds": [5, "{contact}"]}""",
            ["SQL as a contact id"] = """{"contactIds": ["{contact}", "'; drop table participants;--"]}""",
            ["a 129-character contact id"] = $$"""{"contactIds": ["{contact}", "{{LongId}}"]}""",
            ["10 001 contact ids"] = "{\"contactIds\": [" + string.Join(", ", Enumerable.Repeat("\"{contact}\"", 10_001)) + "]}",
        }),
        new("POST /v1/flows/{id}/enrollments", HttpMethod.Post, async admin =>
        {
            var flow = await admin.Flow(start: true);
            var contact = await admin.Contact();
            var segment = TestIds.New("segment");
            await (await admin.PutJson($"/v1/segments/{segment}", $$"""{"name": "Hostile", "contactIds": ["{{contact}}"]}""")).Expect(HttpStatusCode.OK);
            return new($"/v1/flows/{flow}/enrollments", () => StateWatch.Snapshot(admin, $"/v1/flows/{flow}/participants/{contact}"), new() { ["segment"] = segment });
        }, new()
        {
            ["a number for segmentId"] = """{"segmentId": 5}""",
            ["no segmentId"] = """{"jobId": "x"}""",
            ["a path as segmentId"] = """{"segmentId": "../{segment}"}""",
            ["a segment that does not exist"] = """{"segmentId": "{segment}-none"}""",
            ["a slash in jobId"] = """{"segmentId": "{segment}", "jobId": "a/b"}""",
        }),
        new("PUT /v1/segments/{id}", HttpMethod.Put, async admin =>
        {
            var id = TestIds.New("segment");
            return new($"/v1/segments/{id}", () => StateWatch.Snapshot(admin, $"/v1/segments/{id}"), []);
        }, new()
        {
            ["an unknown operator"] = """{"name": "x", "filter": {"attribute": "email", "op": "like", "value": "%"}}""",
            ["conditions nested 40 deep"] = "{\"name\": \"x\", \"filter\": " + DeepNot[0] + "}",
            ["an event condition"] = """{"name": "x", "filter": {"event": "x"}}""",
            ["a string for contactIds"] = """{"name": "x", "contactIds": "all"}""",
            ["a filter and contactIds"] = """{"name": "x", "filter": {"attribute": "email", "op": "exists"}, "contactIds": []}""",
            ["a number for a name"] = """{"name": 5, "contactIds": []}""",
            ["SQL in a filter's attribute"] = """{"name": "x", "filter": {"attribute": "attributes.x'); drop table flows_grain_state;--", "op": "eq", "value": 1}}""",
        }),
        new("POST /v1/segments/{id}/members", HttpMethod.Post, async admin =>
        {
            var id = TestIds.New("segment");
            await (await admin.PutJson($"/v1/segments/{id}", """{"name": "Hostile", "contactIds": []}""")).Expect(HttpStatusCode.OK);
            return new($"/v1/segments/{id}/members", () => StateWatch.Snapshot(admin, $"/v1/segments/{id}"), []);
        }, new()
        {
            ["null contactIds"] = """{"contactIds": null}""",
            ["a path as a contact id"] = """{"contactIds": ["ok", "../../etc/passwd"]}""",
            ["10 001 contact ids"] = "{\"contactIds\": [" + string.Join(", ", Enumerable.Range(0, 10_001).Select(i => $"\"c{i}\"")) + "]}",
        }),
    ];

    public static TheoryData<string, string> BodyCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in Bodies)
            foreach (var name in AnyEndpoint.Keys.Concat(endpoint.Bodies.Keys))
                data.Add(endpoint.Name, name);
        return data;
    }

    [Theory]
    [MemberData(nameof(BodyCases))]
    public async Task AHostileBodyIsA4xxProblemAndChangesNothing(string endpointName, string caseName)
    {
        var admin = api.Client(ApiFixture.AdminKey);
        var endpoint = Bodies.Single(e => e.Name == endpointName);
        var target = await endpoint.Prepare(admin);
        var verify = await target.Watch();
        var content = AnyEndpoint.TryGetValue(caseName, out var make) ? make() : HttpKit.Json(Fill(endpoint.Bodies[caseName], target.Names));

        using var request = new HttpRequestMessage(endpoint.Method, target.Url) { Content = content };
        await ExpectClientError(await admin.SendAsync(request));
        await verify();
    }

    // ---- ids in the path ----

    private static readonly Dictionary<string, string> HostileIds = new()
    {
        ["129 characters"] = LongId,
        ["an encoded slash"] = "a%2Fb",
        ["an encoded path traversal"] = "..%2F..%2Fetc%2Fpasswd",
        ["SQL"] = "%27%3B%20drop%20table%20contacts%3B--",
        ["a script"] = "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        ["Liquid"] = "%7B%7B%20contact.email%20%7D%7D",
        // U+0000 ("a%00b") is refused by the server itself (Kestrel: 400); TestServer's client throws before sending it.
        ["invalid UTF-8"] = "%FF%FE",
        ["a space"] = "a%20b",
        ["a control character"] = "a%07b",
    };

    /// <summary>Each route with an id, a valid body where it takes one; <c>{id}</c> is where the hostile id goes.</summary>
    private static readonly (string Method, string Route, string? Body)[] IdRoutes =
    [
        ("GET", "/v1/contacts/{id}", null),
        ("PUT", "/v1/contacts/{id}", """{"email": "hostile@example.com"}"""),
        ("DELETE", "/v1/contacts/{id}", null),
        ("GET", "/v1/content/{id}", null),
        ("PUT", "/v1/content/{id}", """{"channel": "sms", "name": "x", "text": "y"}"""),
        ("DELETE", "/v1/content/{id}", null),
        ("GET", "/v1/flows/{id}", null),
        ("PUT", "/v1/flows/{id}", """{"name": "x", "trigger": {"type": "manual"}, "startStepId": "done", "steps": [{"id": "done", "type": "end"}]}"""),
        ("DELETE", "/v1/flows/{id}", null),
        ("POST", "/v1/flows/{id}/start", null),
        ("POST", "/v1/flows/{id}/pause", null),
        ("POST", "/v1/flows/{id}/end", null),
        ("GET", "/v1/flows/{id}/stats", null),
        ("GET", "/v1/flows/{id}/participants", null),
        ("POST", "/v1/flows/{id}/participants", """{"contactIds": ["x"]}"""),
        ("GET", "/v1/flows/{flow}/participants/{id}", null),
        ("DELETE", "/v1/flows/{flow}/participants/{id}", null),
        ("POST", "/v1/flows/{id}/enrollments", """{"segmentId": "x"}"""),
        ("GET", "/v1/flows/{flow}/enrollments/{id}", null),
        ("GET", "/v1/segments/{id}", null),
        ("PUT", "/v1/segments/{id}", """{"name": "x", "contactIds": []}"""),
        ("POST", "/v1/segments/{id}/members", """{"contactIds": ["x"]}"""),
        ("DELETE", "/v1/segments/{segment}/members/{id}", null),
        ("GET", "/v1/messages/{id}", null),
    ];

    public static TheoryData<string, string, string> IdCases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (method, route, _) in IdRoutes)
            foreach (var id in HostileIds.Keys)
                data.Add(method, route, id);
        return data;
    }

    [Theory]
    [MemberData(nameof(IdCases))]
    public async Task AHostileIdInThePathIsA4xxProblemAndChangesNothing(string method, string route, string idName)
    {
        var admin = api.Client(ApiFixture.AdminKey);
        var flow = await admin.Flow(start: true);
        var contact = await admin.Contact();
        await admin.Enroll(flow, contact);
        var segment = TestIds.New("segment");
        await (await admin.PutJson($"/v1/segments/{segment}", $$"""{"name": "Hostile", "contactIds": ["{{contact}}"]}""")).Expect(HttpStatusCode.OK);
        var verify = await StateWatch.Snapshot(admin, $"/v1/flows/{flow}", $"/v1/contacts/{contact}", $"/v1/segments/{segment}");

        var body = IdRoutes.Single(r => r.Method == method && r.Route == route).Body;
        var url = route.Replace("{flow}", flow, StringComparison.Ordinal).Replace("{segment}", segment, StringComparison.Ordinal)
            .Replace("{id}", HostileIds[idName], StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null) request.Content = HttpKit.Json(body);
        await ExpectClientError(await admin.SendAsync(request));
        await verify();
    }

    // ---- query strings ----

    [Theory]
    [InlineData("/v1/flows?status=bogus")]
    [InlineData("/v1/flows?status=RUNNING")]
    [InlineData("/v1/flows?status=1")]
    [InlineData("/v1/flows?limit=-1")]
    [InlineData("/v1/flows?limit=0")]
    [InlineData("/v1/flows?limit=99999999999")]
    [InlineData("/v1/flows?limit=1e3")]
    [InlineData("/v1/flows?limit=%27%3B--")]
    [InlineData("/v1/flows?cursor=!!not-a-cursor!!")]
    [InlineData("/v1/flows?cursor=%00")]
    [InlineData("/v1/flows/{flow}/participants?status=bogus")]
    [InlineData("/v1/flows/{flow}/participants?stepId=%27%3B%20drop%20table%20x--")]
    [InlineData("/v1/flows/{flow}/participants?limit=-5")]
    [InlineData("/v1/flows/{flow}/participants?cursor=%25%25%25")]
    [InlineData("/v1/messages?status=bogus")]
    [InlineData("/v1/messages?flowId=..%2Fx")]
    [InlineData("/v1/messages?contactId=%3Cscript%3E")]
    [InlineData("/v1/messages?limit=1000000")]
    [InlineData("/v1/messages?cursor=@@")]
    public async Task AHostileQueryIsA400Problem(string url)
    {
        var admin = api.Client(ApiFixture.AdminKey);
        var flow = await admin.Flow();
        var response = await admin.GetAsync(url.Replace("{flow}", flow, StringComparison.Ordinal));
        await response.ExpectInvalid();
    }

    [Fact]
    public async Task AFlowSearchOver200CharactersIsA400Problem()
    {
        await (await api.Client(ApiFixture.AdminKey).GetAsync("/v1/flows?search=" + new string('x', 201))).ExpectInvalid("search");
    }

    private static async Task ExpectClientError(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        var what = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}";
        Assert.True(status is >= 400 and < 500, $"{(what.Length > 300 ? what[..300] : what)}: expected a 4xx but got {status}: {(text.Length > 2000 ? text[..2000] : text)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
    }

    private static ByteArrayContent Bytes(byte[] bytes, string mediaType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static string Fill(string body, Dictionary<string, string> names)
    {
        foreach (var (name, value) in names) body = body.Replace("{" + name + "}", value, StringComparison.Ordinal);
        return body;
    }
}
