using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Fluid;
using Fluid.Values;
using Orleans.Flows.Contacts;
using Orleans.Flows.Content;
using Orleans.Flows.Values;

namespace Orleans.Flows.Delivery;

/// <summary>
/// Renders what a step produced into the message that is sent: Liquid personalisation for every channel, and for
/// email the tracked links, the open pixel and the unsubscribe link. Pure and deterministic: the same message,
/// contact and content give the same result, so a replayed step composes the very message it composed before.
/// </summary>
/// <remarks>
/// The Liquid model: <c>contact</c> (<c>id, email, phone, firstName, lastName, company, timeZone, tags,
/// attributes</c>; <c>attributes.x</c> is the attribute's own value: string, number, boolean or a list of them),
/// <c>message.id</c>, <c>flow.id</c>, and for email <c>unsubscribeUrl</c>. Names are case-sensitive, exactly as
/// written. <c>'now'</c> is the message's creation time, and dates show in the contact's time zone (UTC when it has
/// none or an unknown one). Values in html are HTML-encoded; subject, text, SMS, push and activity titles are not.
/// </remarks>
public sealed class MessageComposer(TrackingTokens tokens)
{
    /// <summary>Links longer than this are left untracked: their token would make the link longer than mail clients keep.</summary>
    public const int MaxTrackedUrlLength = 4096;

    private static readonly TemplateOptions Liquid = new()
    {
        ModelNamesComparer = StringComparer.Ordinal,
        CultureInfo = CultureInfo.InvariantCulture,
        TimeZone = TimeZoneInfo.Utc,
        // A loop over a contact's tags takes a few dozen steps; a runaway loop stops here instead of holding a thread.
        MaxSteps = 100_000,
    };

    /// <summary>Escapes inserted values as JSON string content (quotes, backslashes, control characters) and keeps letters readable.</summary>
    private static readonly JavaScriptEncoder JsonStringEncoder = JavaScriptEncoder.Create(UnicodeRanges.All);

    private readonly TemplateCache _templates = new();

    /// <param name="message">The message as the step produced it (<see cref="Participants.OutboxMessages"/>).</param>
    /// <param name="contact">The message's contact, as it is now.</param>
    /// <param name="content">The content of an email, SMS or push message; unused for CRM activities and webhooks.</param>
    /// <exception cref="MessageCompositionException">A template does not parse or fails while rendering.</exception>
    /// <exception cref="ArgumentException">The contact is not the message's, or the content is missing or of another channel.</exception>
    public OutboxMessage Compose(OutboxMessage message, Contact contact, ContentItem? content)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(contact);
        if (!string.Equals(contact.Id, message.ContactId, StringComparison.Ordinal))
            throw new ArgumentException($"contact {contact.Id} is not the contact of message {message.Id}", nameof(contact));

        return message.Channel switch
        {
            MessageChannel.Email => Email(message, contact, ContentOf(message, content, Channel.Email)),
            MessageChannel.Sms => Sms(message, contact, ContentOf(message, content, Channel.Sms)),
            MessageChannel.Push => Push(message, contact, ContentOf(message, content, Channel.Push)),
            MessageChannel.Crm => Activity(message, contact),
            MessageChannel.Webhook => Webhook(message, contact),
            _ => throw new ArgumentException($"unknown channel {message.Channel}", nameof(message)),
        };
    }

    /// <summary>How many parsed templates this composer holds.</summary>
    internal int CachedTemplates => _templates.Count;

    private OutboxMessage Email(OutboxMessage message, Contact contact, ContentItem content)
    {
        var unsubscribeUrl = tokens.UnsubscribeUrl(TrackingClaim.For(message, TrackingKind.Unsubscribe));
        var context = Context(message, contact, unsubscribeUrl);
        var html = Render(content.Html, "html", context, HtmlEncoder.Default);
        var text = Render(content.Text, "text", context, NullEncoder.Default);
        return message with
        {
            From = content.From,
            Subject = Render(content.Subject, "subject", context, NullEncoder.Default),
            Html = html is null ? null : TrackedHtml.Rewrite(html, href => ClickUrl(message, href), unsubscribeUrl,
                tokens.OpenUrl(TrackingClaim.For(message, TrackingKind.Open))),
            Text = text is null ? null : WithUnsubscribe(text, unsubscribeUrl),
            UnsubscribeUrl = unsubscribeUrl,
        };
    }

    private OutboxMessage Sms(OutboxMessage message, Contact contact, ContentItem content) =>
        message with { Text = Render(content.Text, "text", Context(message, contact), NullEncoder.Default) };

    private OutboxMessage Push(OutboxMessage message, Contact contact, ContentItem content)
    {
        var context = Context(message, contact);
        return message with
        {
            Subject = Render(content.Title, "title", context, NullEncoder.Default),
            Text = Render(content.Body, "body", context, NullEncoder.Default),
            Url = content.Url,
        };
    }

    /// <summary>A CRM activity: the step's title template rendered, and the activity as JSON for the CRM.</summary>
    private OutboxMessage Activity(OutboxMessage message, Contact contact)
    {
        var title = Render(message.Subject, "title", Context(message, contact), NullEncoder.Default);
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("messageId", message.Id);
            // The step's kind as the API spells it (followUp, sale, request), however the action wrote it.
            json.WriteString("kind", string.IsNullOrEmpty(message.Payload) ? null : JsonNamingPolicy.CamelCase.ConvertName(message.Payload));
            json.WriteString("title", title);
            json.WriteString("contactId", message.ContactId);
            json.WriteString("flowId", message.FlowId);
            json.WriteString("stepId", message.StepId);
            json.WriteStartObject("contact");
            json.WriteString("email", contact.Email);
            json.WriteString("firstName", contact.FirstName);
            json.WriteString("lastName", contact.LastName);
            json.WriteString("company", contact.Company);
            json.WriteString("phone", contact.Phone);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return message with { Subject = title, Payload = Encoding.UTF8.GetString(buffer.WrittenSpan) };
    }

    /// <summary>A webhook call: the method moves from <see cref="OutboxMessage.Subject"/> to its own field, the body is rendered.</summary>
    private OutboxMessage Webhook(OutboxMessage message, Contact contact)
    {
        var body = message.Payload;
        // A JSON body gets its inserted values escaped as JSON string content, so that a quote in a name cannot break it.
        TextEncoder encoder = body is not null && body.TrimStart() is ['{' or '[', ..] ? JsonStringEncoder : NullEncoder.Default;
        return message with
        {
            Method = message.Subject,
            Subject = null,
            Payload = Render(body, "body", Context(message, contact), encoder),
        };
    }

    private string? ClickUrl(OutboxMessage message, string href) =>
        href.Length > MaxTrackedUrlLength
        || href.StartsWith(tokens.BaseUrl + "/t/", StringComparison.Ordinal) || href.StartsWith(tokens.BaseUrl + "/u/", StringComparison.Ordinal)
            ? null // too long to carry, or already one of ours: a tracked link, a pixel or an unsubscribe link
            : tokens.ClickUrl(TrackingClaim.For(message, TrackingKind.Click, href));

    private static string WithUnsubscribe(string text, string unsubscribeUrl)
    {
        if (text.Contains(unsubscribeUrl, StringComparison.Ordinal)) return text;
        var trimmed = text.TrimEnd();
        return trimmed.Length == 0 ? $"Unsubscribe: {unsubscribeUrl}" : $"{trimmed}\n\nUnsubscribe: {unsubscribeUrl}";
    }

    private static ContentItem ContentOf(OutboxMessage message, ContentItem? content, Channel channel)
    {
        if (content is null) throw new ArgumentException($"{message.Channel} message {message.Id} needs its content", nameof(content));
        if (content.Channel != channel)
            throw new ArgumentException($"content {content.Id} is {content.Channel} content, not {channel}", nameof(content));
        return content;
    }

    private string? Render(string? text, string field, TemplateContext context, TextEncoder encoder)
    {
        if (string.IsNullOrEmpty(text)) return text;
        var template = _templates.Get(text, field);
        try
        {
            return template.Render(context, encoder);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException or ParseException)
        {
            throw new MessageCompositionException($"{field} could not be rendered: {e.Message}", e);
        }
    }

    private static TemplateContext Context(OutboxMessage message, Contact contact, string? unsubscribeUrl = null)
    {
        var zone = contact.TimeZone is { Length: > 0 } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) ? found : TimeZoneInfo.Utc;
        // Fluid shows 'now' with the offset it is given, and reads dates without one in TimeZone: both the contact's.
        var now = TimeZoneInfo.ConvertTime(message.CreatedAt, zone);
        var context = new TemplateContext(Liquid) { Now = () => now, TimeZone = zone };
        context.SetValue("contact", ContactValue(contact));
        context.SetValue("message", Object(("id", new StringValue(message.Id))));
        context.SetValue("flow", Object(("id", new StringValue(message.FlowId))));
        context.SetValue("unsubscribeUrl", unsubscribeUrl is null ? NilValue.Instance : new StringValue(unsubscribeUrl));
        return context;
    }

    private static FluidValue ContactValue(Contact contact)
    {
        var attributes = new Dictionary<string, FluidValue>(contact.Attributes.Count, StringComparer.Ordinal);
        foreach (var (name, value) in contact.Attributes) attributes[name] = Natural(value);
        return Object(
            ("id", new StringValue(contact.Id)),
            ("email", Text(contact.Email)),
            ("phone", Text(contact.Phone)),
            ("firstName", Text(contact.FirstName)),
            ("lastName", Text(contact.LastName)),
            ("company", Text(contact.Company)),
            ("timeZone", Text(contact.TimeZone)),
            ("tags", new ArrayValue([.. contact.Tags.Select(t => (FluidValue)new StringValue(t))])),
            ("attributes", new DictionaryValue(new FluidValueDictionaryFluidIndexable(attributes))));
    }

    private static FluidValue Object(params (string Name, FluidValue Value)[] members) =>
        new DictionaryValue(new FluidValueDictionaryFluidIndexable(members.ToDictionary(m => m.Name, m => m.Value, StringComparer.Ordinal)));

    private static FluidValue Text(string? value) => value is null ? NilValue.Instance : new StringValue(value);

    /// <summary>An attribute as itself. There is no date kind: a date is the ISO-8601 string it came as, which <c>| date</c> reads.</summary>
    private static FluidValue Natural(FieldValue value) => value.Kind switch
    {
        FieldValueKind.String => Text(value.Text),
        FieldValueKind.Number => Number(value.Number),
        FieldValueKind.Boolean => BooleanValue.Create(value.Boolean),
        FieldValueKind.Array => new ArrayValue([.. value.Items.Select(Natural)]),
        _ => NilValue.Instance,
    };

    // Liquid numbers are decimals; a double beyond their range shows as it is written.
    private static FluidValue Number(double number) =>
        double.IsFinite(number) && Math.Abs(number) < 7.9e28
            ? NumberValue.Create((decimal)number)
            : new StringValue(number.ToString("R", CultureInfo.InvariantCulture));
}
