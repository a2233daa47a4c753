using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Orleans.Flows.Telemetry;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Orleans.Flows.Delivery;

/// <summary>
/// Sends email through one SMTP relay (<see cref="SmtpOptions"/>) over a small pool of connected, authenticated
/// connections that are reused from message to message: at most <see cref="SmtpOptions.Connections"/> are open,
/// each sending one message at a time.
/// </summary>
/// <remarks>
/// <para>What a send answers:</para>
/// <list type="bullet">
/// <item><see cref="SendResult.Transient"/>: the connection, TLS or authentication failed, the server answered 4xx,
/// or the connection broke before the message's data began: the server cannot have taken it.</item>
/// <item><see cref="SendResult.Failed"/>: the server answered 5xx to the sender, a recipient or the data
/// (<c>smtp 550 5.1.1 …</c>, addresses taken out), or the message has no valid sender or recipient.</item>
/// <item><see cref="SendResult.Unknown"/>: the connection broke once the data had begun to go out: the server may
/// have taken it, so it is not sent again.</item>
/// </list>
/// <para>A connection that broke is dropped and a new one made when needed; one that got a 4xx or 5xx reply is kept,
/// since MailKit has reset its transaction. An idle connection is probed with NOOP before reuse only when it has
/// been idle for a while, so a busy channel adds no round trip per message. Neither addresses nor the password are
/// ever logged.</para>
/// </remarks>
public sealed partial class SmtpEmailChannel : IDeliveryChannel, IAsyncDisposable
{

    private readonly SmtpOptions _options;
    private readonly ILogger<SmtpEmailChannel> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentStack<PooledClient> _idle = new();
    private long _opened;
    private int _open;
    private int _disposed;

    public SmtpEmailChannel(IOptions<SmtpOptions> options, ILogger<SmtpEmailChannel> logger)
    {
        _options = options.Value;
        _logger = logger;
        if (_options.Connections < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.Connections, "Smtp:Connections must be at least 1.");
        _slots = new SemaphoreSlim(_options.Connections, _options.Connections);
    }

    /// <summary>
    /// A connection idle longer than this is probed with NOOP before it is used again, since servers close idle
    /// connections (often after a minute or a few); a busy connection is used without one. Default 10 s.
    /// </summary>
    internal TimeSpan ProbeIdleAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections opened (connected and authenticated) since the channel was made.</summary>
    internal long ConnectionsOpened => Interlocked.Read(ref _opened);

    /// <summary>Connections open now, including one being opened.</summary>
    internal int ConnectionsOpen => Volatile.Read(ref _open);

    public bool Handles(MessageChannel channel) => channel == MessageChannel.Email;

    public async Task<SendOutcome> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!_options.IsConfigured) return SendOutcome.Transient("smtp not configured");
        var (mime, invalid) = Build(message, _options.From);
        if (mime is null)
        {
            LogRefusedBeforeSending(_logger, message.Id, SensitiveText.Mask(invalid!));
            return SendOutcome.Failed(invalid!);
        }

        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            PooledClient client;
            try
            {
                client = await RentAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var error = ConnectError(e);
                LogConnectFailed(_logger, _options.Host, _options.Port, message.Id, SensitiveText.Mask(error));
                return SendOutcome.Transient(error);
            }
            return await SendOnAsync(client, message.Id, mime, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<SendOutcome> SendOnAsync(PooledClient client, string messageId, MimeMessage mime, CancellationToken cancellationToken)
    {
        var data = new DataPhase();
        try
        {
            await client.Smtp.SendAsync(mime, cancellationToken, data).ConfigureAwait(false);
            Return(client);
            return SendOutcome.Sent;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Drop(client);
            throw;
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode is >= 400 and < 600)
        {
            // MailKit has sent RSET after the refusal: the connection is still good unless the server is closing it
            // (421) or the reset failed.
            if (client.Smtp.IsConnected && e.StatusCode != SmtpStatusCode.ServiceNotAvailable) Return(client);
            else Drop(client);
            var error = ReplyError((int)e.StatusCode, e.Message);
            // 4xx to MAIL FROM, RCPT TO, DATA or the end of the data: the server says it did not take the message.
            if ((int)e.StatusCode < 500)
            {
                LogDeferred(_logger, messageId, e.ErrorCode, SensitiveText.Mask(error));
                return SendOutcome.Transient(error);
            }
            LogRefused(_logger, messageId, e.ErrorCode, SensitiveText.Mask(error));
            return SendOutcome.Failed(error);
        }
        catch (ServiceNotAuthenticatedException)
        {
            // 530 to MAIL FROM: the relay wants authentication the options do not give; a configuration matter.
            Drop(client);
            LogDeferred(_logger, messageId, SmtpErrorCode.SenderNotAccepted, "smtp 530 authentication required");
            return SendOutcome.Transient("smtp 530 authentication required");
        }
        catch (Exception e)
        {
            // I/O, timeout or protocol failure (or an unexpected reply). Before the data began the server cannot have
            // the message; once MailKit began writing it (after the server's 354), the server may have it. Failing
            // midway through a large message's data lands here too: we cannot tell how much the server received.
            Drop(client);
            if (data.Started)
            {
                LogOutcomeUnknown(_logger, messageId, e.GetType().Name);
                return SendOutcome.Unknown("unknown_outcome: connection lost during send");
            }
            var error = "smtp connection lost: " + Describe(e);
            LogLostBeforeData(_logger, messageId, SensitiveText.Mask(error));
            return SendOutcome.Transient(error);
        }
    }

    /// <summary>An idle connection that still works, or a new one.</summary>
    private async Task<PooledClient> RentAsync(CancellationToken cancellationToken)
    {
        while (_idle.TryPop(out var pooled))
        {
            if (!pooled.Smtp.IsConnected)
            {
                Drop(pooled);
                continue;
            }
            if (Stopwatch.GetElapsedTime(pooled.IdleSince) < ProbeIdleAfter) return pooled;
            try
            {
                await pooled.Smtp.NoOpAsync(cancellationToken).ConfigureAwait(false);
                return pooled;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Drop(pooled);
                throw;
            }
            catch (Exception)
            {
                // The server closed it while it was idle: try the next one, or open a new one.
                Drop(pooled);
            }
        }
        return await ConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<PooledClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var smtp = new SmtpClient { Timeout = (int)Math.Clamp(_options.Timeout.TotalMilliseconds, 1, int.MaxValue) };
        Interlocked.Increment(ref _open);
        Socket? socket = null;
        try
        {
            var security = _options.Security switch
            {
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.None,
            };
            socket = await OpenSocketAsync(cancellationToken).ConfigureAwait(false);
            await smtp.ConnectAsync(socket, _options.Host!, _options.Port, security, cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(_options.User))
                await smtp.AuthenticateAsync(_options.User, _options.Password ?? "", cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Decrement(ref _open);
            smtp.Dispose();
            socket?.Dispose();
            throw;
        }
        var opened = Interlocked.Increment(ref _opened);
        LogConnected(_logger, _options.Host, _options.Port, Volatile.Read(ref _open), opened);
        return new PooledClient(smtp);
    }

    /// <summary>
    /// The TCP connection to the relay, with Nagle's algorithm off. MailKit's own connect leaves it on, and then the
    /// last piece of a message's data waits for the server's delayed ACK of the piece before it (40 ms on Linux),
    /// since nothing else is sent until the server's reply: every message took at least 40 ms on its connection.
    /// </summary>
    private async Task<Socket> OpenSocketAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            await socket.ConnectAsync(_options.Host!, _options.Port, timeout.Token).ConfigureAwait(false);
            return socket;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"no connection within {_options.Timeout}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Return(PooledClient client)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            Drop(client);
            return;
        }
        client.IdleSince = Stopwatch.GetTimestamp();
        _idle.Push(client);
    }

    private void Drop(PooledClient client)
    {
        Interlocked.Decrement(ref _open);
        client.Smtp.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        while (_idle.TryPop(out var pooled))
        {
            try
            {
                using var quit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await pooled.Smtp.DisconnectAsync(quit: true, quit.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Closing anyway.
            }
            Drop(pooled);
        }
    }

    /// <summary>The MIME message for <paramref name="message"/>, or why it cannot be sent (then the message is null).</summary>
    internal static (MimeMessage? Message, string? Invalid) Build(OutboxMessage message, string? defaultFrom)
    {
        var fromText = string.IsNullOrWhiteSpace(message.From) ? defaultFrom : message.From;
        if (string.IsNullOrWhiteSpace(fromText)) return (null, "no sender: the message has no From and Smtp:From is not set");
        if (!MailboxAddress.TryParse(fromText, out var from) || DomainOf(from.Address) is not { } domain)
            return (null, "invalid sender address");
        if (string.IsNullOrWhiteSpace(message.To) || !MailboxAddress.TryParse(message.To, out var to) || DomainOf(to.Address) is null)
            return (null, "invalid recipient address");

        var mime = new MimeMessage();
        mime.From.Add(from);
        mime.To.Add(to);
        mime.Subject = message.Subject ?? "";
        mime.MessageId = MessageIdFor(message.Id, domain);
        if (!string.IsNullOrWhiteSpace(message.UnsubscribeUrl))
        {
            // RFC 2369 and RFC 8058: one-click unsubscribe, which the large mailbox providers ask of bulk senders.
            mime.Headers.Add("List-Unsubscribe", "<" + message.UnsubscribeUrl + ">");
            mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        // Providers' bounce and complaint reports quote the original headers: this leads back to the message log.
        mime.Headers.Add("X-Flows-Message-Id", message.Id);
        // multipart/alternative when both are there, the text part first: readers show the last one they can.
        mime.Body = message.Text is null && message.Html is null
            ? new TextPart("plain") { Text = "" }
            : new BodyBuilder { TextBody = message.Text, HtmlBody = message.Html }.ToMessageBody();
        return (mime, null);
    }

    /// <summary>
    /// The Message-ID (without angle brackets) of message <paramref name="id"/> sent from <paramref name="domain"/>:
    /// <c>{id}@{domain}</c>, the same every time the message is sent, so a resend is recognisably the same message.
    /// </summary>
    /// <remarks>
    /// The left of a msg-id must be a dot-atom (RFC 5322 3.6.4). Message ids hold only <c>[A-Za-z0-9._:@-]</c>, of
    /// which <c>:</c> and <c>@</c> are not atom characters: <c>:</c> becomes <c>=</c> and <c>@</c> becomes <c>+</c>.
    /// A dot that would start or end the atom or follow another dot becomes <c>~</c>. None of <c>=</c>, <c>+</c>,
    /// <c>~</c> occurs in an id, so different ids keep different Message-IDs. Any other character (not expected)
    /// becomes <c>_</c> followed by its UTF-16 code in hex, e.g. <c>_20</c>; an empty id becomes <c>~</c>.
    /// </remarks>
    internal static string MessageIdFor(string id, string domain)
    {
        var left = new StringBuilder(id.Length);
        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_') left.Append(c);
            else if (c == ':') left.Append('=');
            else if (c == '@') left.Append('+');
            else if (c == '.') left.Append(i == 0 || i == id.Length - 1 || id[i - 1] == '.' ? '~' : '.');
            else left.Append('_').Append(((int)c).ToString("x", CultureInfo.InvariantCulture));
        }
        if (left.Length == 0) left.Append('~');
        return left + "@" + domain;
    }

    /// <summary>The domain of an address as it may stand in a Message-ID: ASCII (IDNA) and lower case.</summary>
    private static string? DomainOf(string address)
    {
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1) return null;
        var domain = address[(at + 1)..];
        try
        {
            return new IdnMapping().GetAscii(domain).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary><c>smtp 550 5.1.1 …</c>: the reply without the addresses servers like to quote, short.</summary>
    internal static string ReplyError(int status, string reply)
    {
        var text = AddressInBrackets().Replace(reply, "");
        text = BareAddress().Replace(text, "");
        text = Whitespace().Replace(text, " ").Replace(" :", ":", StringComparison.Ordinal).Trim(' ', ':', ';', ',');
        var error = text.Length == 0 ? $"smtp {status}" : $"smtp {status} {text}";
        return error.Length <= 200 ? error : error[..200];
    }

    private static string ConnectError(Exception e) => e switch
    {
        SocketException s => "smtp connect failed: " + s.SocketErrorCode,
        SslHandshakeException => "smtp tls handshake failed",
        AuthenticationException => "smtp authentication failed",
        SmtpCommandException c => ReplyError((int)c.StatusCode, c.Message),
        NotSupportedException => "smtp server does not support the configured security or authentication",
        _ => "smtp connect failed: " + Describe(e),
    };

    private static string Describe(Exception e) => e switch
    {
        TimeoutException => "timeout",
        IOException { InnerException: SocketException s } => s.SocketErrorCode.ToString(),
        IOException { InnerException: TimeoutException } => "timeout",
        SmtpProtocolException => "protocol error",
        _ => e.GetType().Name,
    };

    [GeneratedRegex(@"<[^<>]*@[^<>]*>")]
    private static partial Regex AddressInBrackets();

    [GeneratedRegex(@"[^\s<>]+@[^\s<>]+")]
    private static partial Regex BareAddress();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    private sealed class PooledClient(SmtpClient smtp)
    {
        public SmtpClient Smtp { get; } = smtp;
        public long IdleSince { get; set; }
    }

    /// <summary>Learns from MailKit's progress reports whether the message's data began to go out (after the server's 354).</summary>
    private sealed class DataPhase : ITransferProgress
    {
        public bool Started { get; private set; }

        public void Report(long bytesTransferred, long totalSize) => Started = true;

        public void Report(long bytesTransferred) => Started = true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "SMTP connection to {Host}:{Port} opened ({Open} open, {Opened} opened so far)")]
    private static partial void LogConnected(ILogger logger, string? host, int port, int open, long opened);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMTP connection to {Host}:{Port} for email {MessageId} failed: {Error}")]
    private static partial void LogConnectFailed(ILogger logger, string? host, int port, string messageId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email {MessageId} not sent: {Error}")]
    private static partial void LogRefusedBeforeSending(ILogger logger, string messageId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Email {MessageId} deferred by the SMTP server ({Phase}): {Error}")]
    private static partial void LogDeferred(ILogger logger, string messageId, SmtpErrorCode phase, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email {MessageId} refused by the SMTP server ({Phase}): {Error}")]
    private static partial void LogRefused(ILogger logger, string messageId, SmtpErrorCode phase, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email {MessageId} not sent, to be tried again: {Error} before its data began")]
    private static partial void LogLostBeforeData(ILogger logger, string messageId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email {MessageId}: SMTP connection lost ({Failure}) after its data began; it may have been delivered and is not sent again")]
    private static partial void LogOutcomeUnknown(ILogger logger, string messageId, string failure);
}
