using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Flows.Tests.Delivery;

/// <summary>A request as <see cref="RecordingReceiver"/> got it.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string? ContentType, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>What <see cref="RecordingReceiver"/> does with one request.</summary>
/// <param name="Location">Sent with a 3xx.</param>
/// <param name="Delay">Waited before answering.</param>
/// <param name="Drop">Close the connection after reading the request, without answering.</param>
public sealed record Reply(int Status = 200, string? Location = null, TimeSpan? Delay = null, bool Drop = false);

/// <summary>
/// A real HTTP server (Kestrel on 127.0.0.1, a port of its own) that records every request and answers 200, or
/// the replies it was told for the next calls.
/// </summary>
public sealed class RecordingReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly ConcurrentQueue<Reply> _replies = new();

    private RecordingReceiver(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary><c>http://127.0.0.1:{port}/</c></summary>
    public Uri BaseAddress { get; }

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    public Uri Url(string path) => new(BaseAddress, path);

    public static async Task<RecordingReceiver> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        RecordingReceiver? receiver = null;
        app.Run(context => receiver!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        receiver = new RecordingReceiver(app, new Uri(address + "/"));
        return receiver;
    }

    /// <summary>Answers the next <paramref name="count"/> calls with <paramref name="status"/>, then 200 again.</summary>
    public void AnswerFirst(int count, int status)
    {
        for (var i = 0; i < count; i++) _replies.Enqueue(new Reply(status));
    }

    public void AnswerNext(Reply reply) => _replies.Enqueue(reply);

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _requests.Enqueue(new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, context.Request.ContentType, body));

        var reply = _replies.TryDequeue(out var next) ? next : new Reply();
        if (reply.Drop)
        {
            context.Abort();
            return;
        }
        if (reply.Delay is { } delay)
        {
            try { await Task.Delay(delay, context.RequestAborted); }
            catch (OperationCanceledException) { return; }
        }
        context.Response.StatusCode = reply.Status;
        if (reply.Location is { } location) context.Response.Headers.Location = location;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
