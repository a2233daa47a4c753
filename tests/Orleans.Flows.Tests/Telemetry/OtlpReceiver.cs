using System.Collections.Concurrent;
using System.Net;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Telemetry;

/// <summary>
/// A stand-in OpenTelemetry collector: accepts OTLP over HTTP/protobuf (<c>/v1/traces</c>, <c>/v1/metrics</c>,
/// <c>/v1/logs</c>) and keeps every body, so a test can read what a service exported.
/// </summary>
internal sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();
    private readonly Task _serving;

    public OtlpReceiver()
    {
        Port = ApiFixture.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>The bodies posted to <paramref name="path"/> so far.</summary>
    public IReadOnlyList<byte[]> Bodies(string path) => [.. _received.Where(r => r.Path == path).Select(r => r.Body)];

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            // An empty Export…ServiceResponse: everything accepted.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }
}
