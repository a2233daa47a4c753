using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary><c>Api:MaxBodyBytes</c>: a larger body is a 413 problem, whether it declares its length or comes chunked, and changes nothing.</summary>
[Collection(LimitsCollection.Name)]
public sealed class BodySizeTests(LimitsFixture api)
{
    private readonly HttpClient _client = api.Client(LimitsFixture.BodyKey);

    private static string SmsContent(int textLength) =>
        $$"""{"channel": "sms", "name": "Big", "text": "{{new string('x', textLength)}}"}""";

    [Fact]
    public async Task ABodyUnderTheLimitIsServed()
    {
        var id = TestIds.New("content");
        await (await _client.PutJson($"/v1/content/{id}", SmsContent(1000))).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ADeclaredLengthOverTheLimitIs413AndChangesNothing()
    {
        var id = TestIds.New("content");
        var body = SmsContent(LimitsFixture.MaxBodyBytes);
        var problem = await (await _client.PutJson($"/v1/content/{id}", body)).ExpectProblem(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains(LimitsFixture.MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), problem.Str("detail"), StringComparison.Ordinal);
        await (await _client.GetAsync($"/v1/content/{id}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimitIs413AndChangesNothing()
    {
        var id = TestIds.New("contact");
        var body = $$$"""{"email": "big@example.com", "attributes": {"note": "{{{new string('x', LimitsFixture.MaxBodyBytes * 4)}}}"}}""";
        var content = new StreamContent(await NonSeekable(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/contacts/{id}") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var response = await _client.SendAsync(request);
        await response.ExpectProblem(HttpStatusCode.RequestEntityTooLarge);
        await (await _client.GetAsync($"/v1/contacts/{id}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnOversizeBatchIs413AndImportsNothing()
    {
        var ids = Enumerable.Range(0, 200).Select(_ => TestIds.New("contact")).ToList();
        var body = "{\"contacts\": [" + string.Join(", ", ids.Select(i => $"{{\"id\": \"{i}\"}}")) + "]}";
        Assert.True(Encoding.UTF8.GetByteCount(body) > LimitsFixture.MaxBodyBytes);
        await (await _client.PostJson("/v1/contacts/batch", body)).ExpectProblem(HttpStatusCode.RequestEntityTooLarge);
        await (await _client.GetAsync($"/v1/contacts/{ids[0]}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    /// <summary>A stream of unknown length, so the request goes without Content-Length.</summary>
    private static async Task<Stream> NonSeekable(string text)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes(text));
        await pipe.Writer.CompleteAsync();
        return pipe.Reader.AsStream();
    }
}
