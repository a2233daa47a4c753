using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Orleans.Flows.Silo.Import;
using Orleans.Flows.Tests.Http;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Import;

/// <summary>The <c>import</c> command's importer against the API in process: files in, contacts read back over HTTP.</summary>
[Collection(ApiCollection.Name)]
public sealed class ContactFileImportTests(ApiFixture api) : IDisposable
{
    private static readonly ContactImportOptions Fast = new() { RetryDelay = TimeSpan.FromMilliseconds(20), ProgressInterval = TimeSpan.FromMinutes(1) };

    private readonly HttpClient _admin = api.Client();
    private readonly string _folder = Directory.CreateTempSubdirectory("flows-import-").FullName;
    private readonly StringWriter _output = new();
    private readonly StringWriter _errors = new();

    public void Dispose()
    {
        _admin.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task NdjsonFileImportsEveryContactWithItsFieldsAndTypes()
    {
        var ada = TestIds.New("ada");
        var bo = TestIds.New("bo");
        var file = Write("contacts.ndjson",
            $$$"""{"id":"{{{ada}}}","email":"ada@example.com","phone":"+4712345678","firstName":"Ada","company":"Engines","timeZone":"Europe/Oslo","tags":["vip","beta"],"attributes":{"score":7.5,"member":true,"plan":"pro"},"consent":{"sms":false}}""",
            $$"""{"id":"{{bo}}","email":"bo@example.com","lastName":"Berg"}""");

        var result = await Import(file);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, result.Imported);
        Assert.Equal(0, result.Rejected);
        var first = await Contact(ada);
        Assert.Equal("ada@example.com", first.Str("email"));
        Assert.Equal("+4712345678", first.Str("phone"));
        Assert.Equal("Ada", first.Str("firstName"));
        Assert.Equal("Engines", first.Str("company"));
        Assert.Equal("Europe/Oslo", first.Str("timeZone"));
        Assert.Equal(["vip", "beta"], first.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var attributes = first.GetProperty("attributes");
        Assert.Equal(JsonValueKind.Number, attributes.GetProperty("score").ValueKind);
        Assert.Equal(7.5, attributes.GetProperty("score").GetDouble());
        Assert.Equal(JsonValueKind.True, attributes.GetProperty("member").ValueKind);
        Assert.Equal("pro", attributes.GetProperty("plan").GetString());
        Assert.False(first.GetProperty("consent").GetProperty("sms").GetBoolean());
        Assert.Equal("Berg", (await Contact(bo)).Str("lastName"));
        Assert.Contains("imported 2 contacts in ", _output.ToString());
        Assert.Contains(", 0 rejected", _output.ToString());
    }

    [Fact]
    public async Task CsvFileImportsTypedAttributesTagsAndConsent()
    {
        var ada = TestIds.New("ada");
        var bo = TestIds.New("bo");
        var file = Write("contacts.csv",
            "id,email,firstName,company,tags,consent.email,consent.sms,attributes.score,attributes.vip,attributes.zip,attributes.note",
            $"{ada},ada@example.com,Ada,\"Engines, Ltd\",vip; beta,true,false,42,TRUE,007,",
            $"{bo},bo@example.com,,,,,,-1.25e2,false,N-1,\"said \"\"hi\"\"\"");

        var result = await Import(file);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, result.Imported);
        var first = await Contact(ada);
        Assert.Equal("Ada", first.Str("firstName"));
        Assert.Equal("Engines, Ltd", first.Str("company"));
        Assert.Equal(["vip", "beta"], first.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.True(first.GetProperty("consent").GetProperty("email").GetBoolean());
        Assert.False(first.GetProperty("consent").GetProperty("sms").GetBoolean());
        var attributes = first.GetProperty("attributes");
        Assert.Equal(JsonValueKind.Number, attributes.GetProperty("score").ValueKind);
        Assert.Equal(42, attributes.GetProperty("score").GetDouble());
        Assert.Equal(JsonValueKind.True, attributes.GetProperty("vip").ValueKind);
        Assert.Equal(JsonValueKind.String, attributes.GetProperty("zip").ValueKind);
        Assert.Equal("007", attributes.GetProperty("zip").GetString());
        Assert.False(attributes.TryGetProperty("note", out _), $"an empty field is left out: {attributes}");

        var second = await Contact(bo);
        Assert.True(second.IsAbsentOrNull("firstName"));
        Assert.Empty(second.GetProperty("tags").EnumerateArray());
        var more = second.GetProperty("attributes");
        Assert.Equal(-125, more.GetProperty("score").GetDouble());
        Assert.Equal(JsonValueKind.False, more.GetProperty("vip").ValueKind);
        Assert.Equal("N-1", more.GetProperty("zip").GetString());
        Assert.Equal("said \"hi\"", more.GetProperty("note").GetString());
    }

    [Fact]
    public async Task BadNdjsonLinesAreReportedWithTheirLineNumbersAndTheRestIsImported()
    {
        var ids = Enumerable.Range(0, 3).Select(i => TestIds.New($"c{i}")).ToArray();
        var file = Write("bad.ndjson",
            $$"""{"id":"{{ids[0]}}","email":"a@example.com"}""",
            """{"id": "broken", "email": """,
            "",
            $$"""{"id":"{{ids[1]}}","email":"not-an-email"}""",
            "[1, 2]",
            $$"""{"id":"{{ids[2]}}","email":"c@example.com"}""");

        // Two a batch: the server's error at index 1 of the first batch is line 4 of the file.
        var result = await Import(file, Fast with { BatchSize = 2 });

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(2, result.Imported);
        Assert.Equal(3, result.Rejected);
        Assert.Equal(5, result.Rows);
        var errors = _errors.ToString();
        Assert.Contains("line 2: is not valid JSON", errors);
        Assert.Contains("line 4: email: is not an email address", errors);
        Assert.Contains("line 5: must be a JSON object", errors);
        Assert.DoesNotContain("line 3", errors);
        Assert.Equal("a@example.com", (await Contact(ids[0])).Str("email"));
        Assert.Equal("c@example.com", (await Contact(ids[2])).Str("email"));
        await (await _admin.GetAsync($"/v1/contacts/{ids[1]}")).ExpectProblem(HttpStatusCode.NotFound);
        Assert.Contains(", 3 rejected", _output.ToString());
    }

    [Fact]
    public async Task BadCsvRowsAreReportedWithTheirLineNumbers()
    {
        var ids = Enumerable.Range(0, 4).Select(i => TestIds.New($"c{i}")).ToArray();
        var file = Write("bad.csv",
            "id,email,company,consent.sms",
            $"{ids[0]},a@example.com,Acme,true",
            $"{ids[1]},b@example.com",
            $"{ids[2]},c@example.com,Acme,maybe",
            $"{ids[3]},d@example.com,\"Two",
            "lines\",false",
            "bad id!,e@example.com,Acme,true");

        var result = await Import(file);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(2, result.Imported);
        Assert.Equal(3, result.Rejected);
        var errors = _errors.ToString();
        Assert.Contains("line 3: has a different number of fields than the header", errors);
        Assert.Contains("line 4: consent.sms: must be true or false, not 'maybe'", errors);
        Assert.Contains("line 7: id:", errors);
        Assert.Equal("Two\nlines", (await Contact(ids[3])).Str("company")?.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task ABatchThatFailedWithA503IsSentAgainAndImportedOnce()
    {
        var ids = Enumerable.Range(0, 25).Select(i => TestIds.New($"c{i}")).ToArray();
        var file = Write("retry.ndjson", [.. ids.Select(id => $$"""{"id":"{{id}}","email":"{{id}}@example.com"}""")]);
        // The first batch reaches the service, but the client is told 503: the answer was lost, the batch is sent again.
        var flaky = new FailFirstBatch(HttpStatusCode.ServiceUnavailable, forward: true);
        using var client = api.CreateDefaultClient(flaky);
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiFixture.AdminKey);

        var result = await new ContactFileImport(client, Fast with { BatchSize = 10 }, _output, _errors).ImportFileAsync(file);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(25, result.Imported);
        Assert.Equal(4, flaky.BatchCalls);
        Assert.Contains("attempt 1 failed (503", _output.ToString());
        foreach (var id in ids) Assert.Equal($"{id}@example.com", (await Contact(id)).Str("email"));
    }

    [Fact]
    public async Task A429IsRetriedAfterItsRetryAfter()
    {
        var id = TestIds.New("c");
        var file = Write("limited.ndjson", $$"""{"id":"{{id}}","email":"a@example.com"}""");
        var limited = new FailFirstBatch(HttpStatusCode.TooManyRequests, forward: false, retryAfter: TimeSpan.FromSeconds(1));
        using var client = api.CreateDefaultClient(limited);
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiFixture.AdminKey);

        var result = await new ContactFileImport(client, Fast, _output, _errors).ImportFileAsync(file);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, limited.BatchCalls);
        Assert.True(limited.Gap >= TimeSpan.FromMilliseconds(900), $"the retry came {limited.Gap.TotalMilliseconds} ms after a 429 with Retry-After: 1");
        Assert.Equal("a@example.com", (await Contact(id)).Str("email"));
    }

    [Fact]
    public async Task AnUnknownCsvColumnStopsTheImportWithExitCode2()
    {
        var file = Write("columns.csv", "id,email,favourite", "a,a@example.com,x");

        var result = await Import(file);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(0, result.Imported);
        Assert.Contains("'favourite', is not a contact field", _errors.ToString());
    }

    [Fact]
    public async Task AMissingFileOrARefusedKeyIsExitCode2()
    {
        Assert.Equal(2, (await Import(Path.Combine(_folder, "missing.ndjson"))).ExitCode);
        Assert.Contains("cannot read", _errors.ToString());

        var file = Write("one.ndjson", """{"id":"x","email":"a@example.com"}""");
        using var ingestless = api.Client(apiKey: "no-such-key");
        var refused = await new ContactFileImport(ingestless, Fast, _output, _errors).ImportFileAsync(file);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("refused the key (401)", _errors.ToString());
    }

    [Fact]
    public async Task TheCommandAnswersBadArgumentsAndAnUnreachableApiWithExitCode2()
    {
        var file = Write("one.ndjson", """{"id":"x","email":"a@example.com"}""");
        Assert.Equal(2, await ContactImportCommand.RunAsync([], _output, _errors));
        Assert.Equal(2, await ContactImportCommand.RunAsync([file, "--batch-size", "20000", "--key", "k"], _output, _errors));
        Assert.Equal(2, await ContactImportCommand.RunAsync([file, "--parallel", "many", "--key", "k"], _output, _errors));
        Assert.Equal(2, await ContactImportCommand.RunAsync([file, "--colour", "red", "--key", "k"], _output, _errors));
        Assert.Equal(2, await ContactImportCommand.RunAsync([Write("contacts.txt", "x"), "--key", "k"], _output, _errors));

        var clock = Stopwatch.StartNew();
        var closed = $"http://127.0.0.1:{ApiFixture.FreePort()}";
        Assert.Equal(2, await ContactImportCommand.RunAsync([file, "--url", closed, "--key", "k"], _output, _errors));
        Assert.Contains("not reachable", _errors.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "an address nobody listens on fails at once, not after every retry");
    }

    private Task<ContactImportResult> Import(string file, ContactImportOptions? options = null) =>
        new ContactFileImport(_admin, options ?? Fast, _output, _errors).ImportFileAsync(file);

    private async Task<JsonElement> Contact(string id) => await (await _admin.GetAsync($"/v1/contacts/{id}")).Expect(HttpStatusCode.OK);

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    /// <summary>Answers the first contact batch with a failure (after letting it reach the service when <c>forward</c>); passes the rest.</summary>
    private sealed class FailFirstBatch(HttpStatusCode status, bool forward, TimeSpan? retryAfter = null) : DelegatingHandler
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _failedAt;
        private int _calls;

        public int BatchCalls => _calls;

        /// <summary>Time between the failed call and the one after it.</summary>
        public TimeSpan Gap { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri?.AbsolutePath != "/v1/contacts/batch") return await base.SendAsync(request, cancellationToken);
            var call = Interlocked.Increment(ref _calls);
            if (call == 2) Gap = _clock.Elapsed - _failedAt;
            if (call != 1) return await base.SendAsync(request, cancellationToken);
            if (forward) (await base.SendAsync(request, cancellationToken)).Dispose();
            _failedAt = _clock.Elapsed;
            var failure = new HttpResponseMessage(status) { RequestMessage = request };
            if (retryAfter is { } delay) failure.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(delay);
            return failure;
        }
    }
}
