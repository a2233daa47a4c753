using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.Flows.Contacts;
using Orleans.Flows.Content;
using Orleans.Flows.Delivery;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Silo;
using Orleans.Flows.Values;

namespace Orleans.Flows.LoadTests;

/// <summary>What the fill wrote: how many rows, how large a rendered email is, and how long it took.</summary>
public readonly record struct OutboxFill(int Rows, int HtmlChars, int TextChars, double Seconds);

/// <summary>
/// Writes N queued emails into <c>flows_outbox</c> as the engine would have: each rendered by the engine's own
/// <see cref="MessageComposer"/> (Liquid personalisation, every link tracked with a signed token, the open pixel and
/// the unsubscribe link), its id from <see cref="MessageIds"/>, its body as <see cref="PostgresOutbox.Body"/> stores
/// it; one binary COPY for all of them. The contacts themselves are not needed: the dispatcher reads only the outbox.
/// </summary>
public static class EmailOutboxFill
{
    public const string Flow = "bench-dispatch";
    public const string Step = "send";
    public const string ContentId = "bench-dispatch-email";

    /// <summary>A newsletter of about 2.9 KB as written; about 4 KB once its six links and the pixel carry signed tokens.</summary>
    private const string Html = """
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f7;font-family:Helvetica,Arial,sans-serif">
          <tr><td align="center" style="padding:24px 0">
            <table role="presentation" width="600" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:6px">
              <tr><td style="padding:24px 32px;border-bottom:1px solid #e8e8ee">
                <a href="https://shop.example.com/?utm_source=flows&amp;utm_medium=email"><img src="https://cdn.example.com/logo.png" width="120" height="32" alt="Example Shop" style="display:block;border:0"></a>
              </td></tr>
              <tr><td style="padding:32px 32px 8px 32px;color:#1f2430;font-size:22px;font-weight:bold">Hello {{ contact.firstName }}, your {{ contact.attributes.plan }} plan has news</td></tr>
              <tr><td style="padding:8px 32px;color:#51545e;font-size:16px;line-height:24px">
                <p>Thank you for being with us since {{ contact.attributes.since }}. This month we added three things our customers asked for most, and
                we think you will like them: faster checkout, saved carts on every device and a new returns page that takes a minute.</p>
                <p>As a {{ contact.attributes.plan }} customer you get free shipping on your next three orders until the end of the month.</p>
              </td></tr>
              <tr><td align="center" style="padding:16px 32px">
                <a href="https://shop.example.com/offers/{{ contact.attributes.plan }}?utm_source=flows&amp;utm_medium=email&amp;utm_campaign=monthly" style="background:#2f6fed;color:#ffffff;padding:12px 24px;border-radius:4px;text-decoration:none;font-weight:bold;display:inline-block">See your offers</a>
              </td></tr>
              <tr><td style="padding:8px 32px;color:#51545e;font-size:15px;line-height:22px">
                <ul>
                  <li><a href="https://shop.example.com/new/checkout?utm_source=flows&amp;utm_medium=email" style="color:#2f6fed">Faster checkout</a>: one page, every payment method.</li>
                  <li><a href="https://shop.example.com/new/carts?utm_source=flows&amp;utm_medium=email" style="color:#2f6fed">Saved carts</a>: start on your phone, finish on your laptop.</li>
                  <li><a href="https://shop.example.com/returns?utm_source=flows&amp;utm_medium=email" style="color:#2f6fed">Easy returns</a>: print a label or show a code.</li>
                </ul>
              </td></tr>
              <tr><td style="padding:24px 32px;color:#9a9ea6;font-size:12px;line-height:18px;border-top:1px solid #e8e8ee">
                You receive this email because {{ contact.email }} subscribed to news from Example Shop.
                <a href="https://shop.example.com/account/preferences?utm_source=flows" style="color:#9a9ea6">Preferences</a> ·
                <a href="{{ unsubscribeUrl }}" style="color:#9a9ea6">Unsubscribe</a><br>
                Example Shop Ltd, 1 Example Street, Example City
              </td></tr>
            </table>
          </td></tr>
        </table>
        """;

    private const string Text = """
        Hello {{ contact.firstName }}, your {{ contact.attributes.plan }} plan has news.

        Thank you for being with us since {{ contact.attributes.since }}. This month we added three things our customers
        asked for most: faster checkout, saved carts on every device and a new returns page that takes a minute.

        As a {{ contact.attributes.plan }} customer you get free shipping on your next three orders until the end of the month.
        See your offers: https://shop.example.com/offers/{{ contact.attributes.plan }}

        You receive this email because {{ contact.email }} subscribed to news from Example Shop.
        """;

    private static readonly string[] Plans = ["basic", "plus", "premium"];

    public static string Recipient(int i) => "c" + i.ToString(CultureInfo.InvariantCulture) + "@example.com";

    /// <summary>Renders and writes <paramref name="count"/> emails, a chunk at a time rendered on every core, all in one COPY.</summary>
    public static async Task<OutboxFill> WriteAsync(string connectionString, int count, string trackingBaseUrl, string signingKey, Action<string> log, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var composer = new MessageComposer(new TrackingTokens(Options.Create(new TrackingOptions { BaseUrl = trackingBaseUrl, SigningKey = signingKey })));
        var now = DateTimeOffset.UtcNow;
        var content = new ContentItem
        {
            Id = ContentId, Channel = Channel.Email, Name = "Monthly news", From = "Example Shop <news@shop.example.com>",
            Subject = "{{ contact.firstName }}, what is new for {{ contact.attributes.plan }} customers", Html = Html, Text = Text,
            CreatedAt = now, UpdatedAt = now,
        };
        long htmlChars = 0, textChars = 0;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var copy = await connection.BeginBinaryImportAsync(
            "copy flows_outbox (id, channel, flow_id, step_id, contact_id, content_id, recipient, subject, status, created_at, body) from stdin (format binary)", cancellationToken))
        {
            const int Chunk = 4_000;
            var rendered = new OutboxMessage[Chunk];
            var lastLog = clock.Elapsed;
            for (var first = 0; first < count; first += Chunk)
            {
                var size = Math.Min(Chunk, count - first);
                Parallel.For(0, size, new ParallelOptions { CancellationToken = cancellationToken }, k => rendered[k] = Render(composer, content, first + k, now));
                for (var k = 0; k < size; k++)
                {
                    var m = rendered[k];
                    htmlChars += m.Html!.Length;
                    textChars += m.Text!.Length;
                    await copy.StartRowAsync(cancellationToken);
                    await copy.WriteAsync(m.Id, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(PostgresOutbox.ChannelName(m.Channel), NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(m.FlowId, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(m.StepId, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(m.ContactId, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(m.ContentId, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(m.To, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(m.Subject, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(MessageStatus.Queued, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(m.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                    await copy.WriteAsync(PostgresOutbox.Body(m), NpgsqlDbType.Jsonb, cancellationToken);
                }
                if (clock.Elapsed - lastLog >= TimeSpan.FromSeconds(10))
                {
                    lastLog = clock.Elapsed;
                    log($"outbox: {first + size:N0} of {count:N0} emails rendered and written");
                }
            }
            await copy.CompleteAsync(cancellationToken);
        }
        // As a settled outbox would be: statistics for the planner, the visibility map set, and no checkpoint of
        // the fill's writes falling into the measurement.
        foreach (var sql in new[] { "vacuum (analyze) flows_outbox", "checkpoint" })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        return new OutboxFill(count, (int)(htmlChars / Math.Max(count, 1)), (int)(textChars / Math.Max(count, 1)), Math.Round(clock.Elapsed.TotalSeconds, 2));
    }

    /// <summary>Email <paramref name="i"/>: to contact <c>c{i}</c>, rendered for that contact.</summary>
    private static OutboxMessage Render(MessageComposer composer, ContentItem content, int i, DateTimeOffset now)
    {
        var contactId = ModeRun.ContactId(i);
        var contact = new Contact
        {
            Id = contactId, Email = Recipient(i), FirstName = "Bench" + (i % 1000).ToString(CultureInfo.InvariantCulture), LastName = "Contact",
            Attributes = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [
                new KeyValuePair<string, FieldValue>("plan", FieldValue.Of(Plans[i % Plans.Length])),
                new KeyValuePair<string, FieldValue>("since", FieldValue.Of((2015 + i % 10).ToString(CultureInfo.InvariantCulture))),
            ]),
            CreatedAt = now, UpdatedAt = now,
        };
        var message = new OutboxMessage
        {
            Id = MessageIds.For(Flow, contactId, 1, Step, 0), Channel = MessageChannel.Email, FlowId = Flow, StepId = Step,
            ContactId = contactId, ContentId = ContentId, To = contact.Email, CreatedAt = now,
        };
        return composer.Compose(message, contact, content);
    }
}
