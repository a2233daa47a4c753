using System.Net;
using System.Net.Sockets;

namespace Orleans.Flows.Tests.Infrastructure;

/// <summary>
/// A TCP forwarder a test can close and open again: closed, it drops every connection and refuses new ones, as a
/// database that went away does, without stopping the server other tests share.
/// </summary>
public sealed class TcpGate : IAsyncDisposable
{
    private readonly int _target;
    private readonly List<TcpClient> _open = [];
    private readonly Lock _lock = new();
    private TcpListener? _listener;
    private Task _accepting = Task.CompletedTask;

    public TcpGate(int target)
    {
        _target = target;
        Port = ApiFixture.FreePort();
        Open();
    }

    public int Port { get; }

    public void Open()
    {
        lock (_lock)
        {
            if (_listener is not null) return;
            _listener = new TcpListener(IPAddress.Loopback, Port);
            _listener.Start();
            var listener = _listener;
            _accepting = Task.Run(() => AcceptAsync(listener));
        }
    }

    /// <summary>Stops listening and resets every forwarded connection.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _listener?.Stop();
            _listener = null;
            foreach (var client in _open)
            {
                try
                {
                    // A reset, not a polite close: the other side learns at once that the connection is gone.
                    if (client.Client is { } socket) socket.LingerState = new LingerOption(true, 0);
                }
                catch (ObjectDisposedException)
                {
                }
                client.Dispose();
            }
            _open.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient incoming;
            try
            {
                incoming = await listener.AcceptTcpClientAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            var outgoing = new TcpClient();
            try
            {
                await outgoing.ConnectAsync(IPAddress.Loopback, _target);
            }
            catch (SocketException)
            {
                incoming.Dispose();
                outgoing.Dispose();
                continue;
            }
            lock (_lock)
            {
                _open.Add(incoming);
                _open.Add(outgoing);
            }
            _ = PipeAsync(incoming, outgoing);
            _ = PipeAsync(outgoing, incoming);
        }
    }

    private static async Task PipeAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close();
        await _accepting;
    }
}
