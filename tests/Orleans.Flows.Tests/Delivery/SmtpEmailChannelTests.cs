using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Utils;
using Orleans.Flows.Delivery;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Delivery;

/// <summary>The SMTP channel against a real SMTP server, smtp4dev, which fails some sends on purpose.</summary>
[Collection(Smtp4devCollection.Name)]
public sealed class SmtpEmailChannelTests(Smtp4devServer smtp) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly ListLogger _log = new();

    public Task InitializeAsync() => smtp.ClearAsync();

    public Task DisposeAsync()
    {
        // Neither addresses nor the password ever reach the log.
        Assert.DoesNotContain(_log.Lines, line => line.Contains('@') || line.Contains("secret", StringComparison.OrdinalIgnoreCase));
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_message_arrives_with_its_bodies_and_headers()
    {
        await using var channel = Channel();
        var message = Email("m-0a1b2c", to: "ada@example.com") with
        {
            From = "Flows News <news@flows.example>",
            Subject = "Spring offers for Ada",
            Html = "<p>Hello <b>Ada</b></p>",
            Text = "Hello Ada",
            UnsubscribeUrl = "https://flows.example/u/m-0a1b2c?sig=abc",
        };

        var outcome = await channel.SendAsync(message, CancellationToken.None);

        Assert.Equal(SendOutcome.Sent, outcome);
        var received = Assert.Single(await smtp.WaitForMessagesAsync(1, Wait));
        var mime = await LoadAsync(received);
        var from = Assert.IsType<MailboxAddress>(Assert.Single(mime.From));
        Assert.Equal(("Flows News", "news@flows.example"), (from.Name, from.Address));
        Assert.Equal("ada@example.com", Assert.IsType<MailboxAddress>(Assert.Single(mime.To)).Address);
        Assert.Equal(["ada@example.com"], received.To);
        Assert.Equal("Spring offers for Ada", mime.Subject);
        Assert.Equal("m-0a1b2c@flows.example", mime.MessageId);
        Assert.Equal("<https://flows.example/u/m-0a1b2c?sig=abc>", mime.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", mime.Headers["List-Unsubscribe-Post"]);
        Assert.Equal("m-0a1b2c", mime.Headers["X-Flows-Message-Id"]);
        var alternative = Assert.IsType<MultipartAlternative>(mime.Body);
        Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType));
        Assert.Equal("Hello Ada", mime.TextBody?.TrimEnd());
        Assert.Equal("<p>Hello <b>Ada</b></p>", mime.HtmlBody?.TrimEnd());
    }

    [Fact]
    public async Task A_message_without_a_sender_goes_from_Smtp_From_and_its_Message_ID_is_valid_for_any_id()
    {
        await using var channel = Channel(o => o.From = "Shop <shop@shop.example>");
        var message = Email("flow-1:step@2.v3", to: "bob@example.com") with { From = null, Text = null, Html = "<p>Hi</p>" };

        Assert.Equal(SendOutcome.Sent, await channel.SendAsync(message, CancellationToken.None));

        var mime = await LoadAsync(Assert.Single(await smtp.WaitForMessagesAsync(1, Wait)));
        Assert.Equal("shop@shop.example", Assert.IsType<MailboxAddress>(Assert.Single(mime.From)).Address);
        Assert.Equal("flow-1=step+2.v3@shop.example", mime.MessageId);
        Assert.Equal("flow-1:step@2.v3", mime.Headers["X-Flows-Message-Id"]);
        Assert.Null(mime.Headers["List-Unsubscribe"]);
        Assert.Equal("text/html", mime.Body?.ContentType.MimeType);
    }

    [Fact]
    public void Smtp_Message_IDs_are_valid_deterministic_and_distinct_for_distinct_ids()
    {
        string[] ids = ["m-0a1b", "a:b", "a@b", "a=b", ".a..b.", "a.b", "a~b", "", "x:y@z.w"];
        var mapped = ids.Select(id => SmtpEmailChannel.MessageIdFor(id, "flows.example")).ToArray();

        foreach (var messageId in mapped)
            Assert.Equal(messageId, Assert.Single(MimeUtils.EnumerateReferences($"<{messageId}>")));
        Assert.Equal(ids.Length, mapped.Distinct().Count());
        Assert.Equal(mapped, ids.Select(id => SmtpEmailChannel.MessageIdFor(id, "flows.example")));
        Assert.Equal("a=b+c@d.example", SmtpEmailChannel.MessageIdFor("a:b@c", "d.example"));
        Assert.Equal("~a.~b~@d.example", SmtpEmailChannel.MessageIdFor(".a..b.", "d.example"));
    }

    [Fact]
    public async Task Many_messages_sent_at_once_over_two_connections_all_arrive_once()
    {
        const int count = 60;
        var channel = Channel(o => o.Connections = 2);
        SendOutcome[] outcomes;
        await using (channel)
        {
            outcomes = await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
                channel.SendAsync(Email($"m-{i:000}", to: $"user{i}@example.com") with { Subject = $"Message {i:000}" }, CancellationToken.None)));
            Assert.InRange(channel.ConnectionsOpened, 1, 2);
            Assert.InRange(channel.ConnectionsOpen, 1, 2);
        }

        Assert.All(outcomes, o => Assert.Equal(SendOutcome.Sent, o));
        var received = await smtp.WaitForMessagesAsync(count, Wait);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"Message {i:000}"), received.Select(m => m.Subject).Order());
        // The server's side of it: the channel closed its connections on dispose, and smtp4dev saw at most two
        // sessions carry all the messages.
        var sessions = await Eventually.Matches(smtp.SessionsAsync, s => s.Sum(x => x.NumberOfMessages) >= count, Wait, "smtp4dev's sessions carry every message");
        Assert.InRange(sessions.Count, 1, 2);
        Assert.Equal(count, sessions.Sum(s => s.NumberOfMessages));
        Assert.Equal(count, (await smtp.MessagesAsync()).Count);
    }

    [Fact]
    public async Task A_connection_is_reused_for_the_next_message()
    {
        await using var channel = Channel();

        for (var i = 0; i < 5; i++)
            Assert.Equal(SendOutcome.Sent, await channel.SendAsync(Email($"m-seq-{i}", to: "ada@example.com"), CancellationToken.None));

        Assert.Equal(1, channel.ConnectionsOpened);
        await smtp.WaitForMessagesAsync(5, Wait);
    }

    [Fact]
    public async Task Nothing_listening_gives_Transient()
    {
        await using var channel = Channel(o => o.Port = ApiFixture.FreePort());

        var outcome = await channel.SendAsync(Email("m-nobody", to: "ada@example.com"), CancellationToken.None);

        Assert.Equal(SendResult.Transient, outcome.Result);
        Assert.StartsWith("smtp connect failed", outcome.Error);
        Assert.Equal(0, channel.ConnectionsOpen);
    }

    [Fact]
    public async Task A_server_that_is_down_gives_Transient_and_once_it_is_back_the_next_send_goes_through()
    {
        await using var channel = Channel(o => o.Connections = 1);
        Assert.Equal(SendOutcome.Sent, await channel.SendAsync(Email("m-before", to: "ada@example.com"), CancellationToken.None));
        await smtp.WaitForMessagesAsync(1, Wait);

        await smtp.StopAsync();
        try
        {
            // The pooled connection died with the server, then a new one is refused: neither reached the data.
            var onDeadConnection = await channel.SendAsync(Email("m-down-1", to: "ada@example.com"), CancellationToken.None);
            var whileDown = await channel.SendAsync(Email("m-down-2", to: "ada@example.com"), CancellationToken.None);

            Assert.Equal(SendResult.Transient, onDeadConnection.Result);
            Assert.StartsWith("smtp connection lost", onDeadConnection.Error);
            Assert.Equal(SendResult.Transient, whileDown.Result);
            Assert.StartsWith("smtp connect failed", whileDown.Error);
        }
        finally
        {
            await smtp.StartAsync();
        }

        Assert.Equal(SendOutcome.Sent, await channel.SendAsync(Email("m-after", to: "ada@example.com"), CancellationToken.None));
        var received = Assert.Single(await smtp.WaitForMessagesAsync(1, Wait));
        Assert.Equal("m-after", (await LoadAsync(received)).Headers["X-Flows-Message-Id"]);
        Assert.Equal(2, channel.ConnectionsOpened);
    }

    [Fact]
    public async Task A_connection_the_server_closed_while_idle_is_found_out_by_NOOP_and_replaced_before_sending()
    {
        await using var channel = new SmtpEmailChannel(Options.Create(SmtpSettings(o => o.Connections = 1)), _log) { ProbeIdleAfter = TimeSpan.Zero };
        Assert.Equal(SendOutcome.Sent, await channel.SendAsync(Email("m-first", to: "ada@example.com"), CancellationToken.None));

        await smtp.StopAsync();
        await smtp.StartAsync();

        Assert.Equal(SendOutcome.Sent, await channel.SendAsync(Email("m-after-idle", to: "ada@example.com"), CancellationToken.None));
        Assert.Equal(2, channel.ConnectionsOpened);
        Assert.Equal(1, channel.ConnectionsOpen);
        Assert.Single(await smtp.WaitForMessagesAsync(1, Wait));
    }

    [Fact]
    public async Task A_recipient_the_server_refuses_with_5xx_gives_Failed_without_the_address_and_the_connection_stays()
    {
        await using var channel = Channel();

        var refused = await channel.SendAsync(Email("m-refused", to: $"{Smtp4devServer.RejectedLocalPart}-ada@example.com"), CancellationToken.None);
        var next = await channel.SendAsync(Email("m-next", to: "ada@example.com"), CancellationToken.None);

        Assert.Equal(SendResult.Failed, refused.Result);
        Assert.Equal("smtp 550 Recipient rejected", refused.Error);
        Assert.Equal(SendOutcome.Sent, next);
        Assert.Equal(1, channel.ConnectionsOpened);
        var received = Assert.Single(await smtp.WaitForMessagesAsync(1, Wait));
        Assert.Equal("m-next", (await LoadAsync(received)).Headers["X-Flows-Message-Id"]);
    }

    [Fact]
    public async Task A_recipient_the_server_defers_with_4xx_gives_Transient()
    {
        await using var channel = Channel();

        var deferred = await channel.SendAsync(Email("m-deferred", to: $"{Smtp4devServer.DeferredLocalPart}@example.com"), CancellationToken.None);

        Assert.Equal(SendResult.Transient, deferred.Result);
        Assert.Equal("smtp 451 mailbox busy, try later", deferred.Error);
        Assert.Empty(await smtp.MessagesAsync());
    }

    [Fact]
    public async Task A_connection_lost_after_the_data_went_out_gives_Unknown_and_a_new_connection_sends_the_next()
    {
        await using var channel = Channel();

        var lost = await channel.SendAsync(Email("m-lost", to: "ada@example.com") with { Subject = $"Offer {Smtp4devServer.DropSubject}" }, CancellationToken.None);
        var next = await channel.SendAsync(Email("m-next", to: "ada@example.com"), CancellationToken.None);

        Assert.Equal(SendOutcome.Unknown("unknown_outcome: connection lost during send"), lost);
        Assert.Equal(SendOutcome.Sent, next);
        Assert.Equal(2, channel.ConnectionsOpened);
        Assert.Equal(1, channel.ConnectionsOpen);
    }

    [Fact]
    public async Task A_message_without_a_valid_recipient_or_sender_gives_Failed_without_connecting()
    {
        await using var channel = Channel(o => o.From = null);

        var noRecipient = await channel.SendAsync(Email("m-bad-to", to: "not an address"), CancellationToken.None);
        var noSender = await channel.SendAsync(Email("m-no-from", to: "ada@example.com") with { From = null }, CancellationToken.None);

        Assert.Equal(SendOutcome.Failed("invalid recipient address"), noRecipient);
        Assert.Equal(SendResult.Failed, noSender.Result);
        Assert.Equal(0, channel.ConnectionsOpened);
    }

    [Fact]
    public async Task A_cancelled_send_throws()
    {
        await using var channel = Channel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            channel.SendAsync(Email("m-cancelled", to: "ada@example.com"), new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Smtp_reply_errors_leave_out_addresses()
    {
        Assert.Equal("smtp 550 5.1.1: Recipient address rejected: User unknown",
            SmtpEmailChannel.ReplyError(550, "5.1.1 <ada@example.com>: Recipient address rejected: User unknown"));
        Assert.Equal("smtp 553 5.7.1 Sender rejected",
            SmtpEmailChannel.ReplyError(553, "5.7.1 Sender news@flows.example rejected"));
        Assert.Equal("smtp 554", SmtpEmailChannel.ReplyError(554, "<a@b.example>"));
    }

    [Fact]
    public void Smtp_options_bind_from_configuration_with_security_in_any_case()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "smtp.example.com",
            ["Smtp:Port"] = "587",
            ["Smtp:Security"] = "starttls",
            ["Smtp:Connections"] = "4",
            ["Smtp:Timeout"] = "00:00:10",
        }).Build();

        var options = configuration.GetSection(SmtpOptions.Section).Get<SmtpOptions>()!;

        Assert.True(options.IsConfigured);
        Assert.Equal((587, SmtpSecurity.StartTls, 4, TimeSpan.FromSeconds(10)), (options.Port, options.Security, options.Connections, options.Timeout));
        Assert.Equal(SmtpSecurity.SslOnConnect, new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Security"] = "SSLONCONNECT" }).Build().Get<SmtpOptions>()!.Security);
        var defaults = new SmtpOptions();
        Assert.Equal((25, SmtpSecurity.None, 8, TimeSpan.FromSeconds(30), false), (defaults.Port, defaults.Security, defaults.Connections, defaults.Timeout, defaults.IsConfigured));
    }

    private SmtpEmailChannel Channel(Action<SmtpOptions>? configure = null) => new(Options.Create(SmtpSettings(configure)), _log);

    private SmtpOptions SmtpSettings(Action<SmtpOptions>? configure)
    {
        var options = new SmtpOptions { Host = "127.0.0.1", Port = smtp.SmtpPort, From = "Flows <flows@flows.example>", Timeout = TimeSpan.FromSeconds(10) };
        configure?.Invoke(options);
        return options;
    }

    private static OutboxMessage Email(string id, string to) => new()
    {
        Id = id,
        Channel = MessageChannel.Email,
        FlowId = "flow-1",
        StepId = "step-1",
        ContactId = "contact-1",
        To = to,
        From = "Flows <flows@flows.example>",
        Subject = "Hello",
        Text = "Hello",
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    private async Task<MimeMessage> LoadAsync(ReceivedEmail received)
    {
        using var raw = new MemoryStream(await smtp.RawSourceAsync(received.Id));
        return await MimeMessage.LoadAsync(raw);
    }

    /// <summary>Keeps every line logged, to check what the channel logs.</summary>
    private sealed class ListLogger : ILogger<SmtpEmailChannel>
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IEnumerable<string> Lines => _lines;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue(formatter(state, exception) + (exception is null ? "" : " " + exception));
    }
}
