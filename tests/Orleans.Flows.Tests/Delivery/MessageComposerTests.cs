using System.Collections.Immutable;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Orleans.Flows.Contacts;
using Orleans.Flows.Content;
using Orleans.Flows.Delivery;
using Orleans.Flows.Values;

namespace Orleans.Flows.Tests.Delivery;

public sealed class MessageComposerTests
{
    private const string Base = "https://flows.example.com";

    private readonly TrackingTokens _tokens = TrackingTokensTests.Tokens(TrackingTokensTests.Key, Base + "/");
    private readonly MessageComposer _composer;

    public MessageComposerTests() => _composer = new MessageComposer(_tokens);

    private static readonly DateTimeOffset CreatedAt = new(2026, 1, 15, 23, 30, 0, TimeSpan.Zero);

    private static readonly Contact Ase = new()
    {
        Id = "c-1",
        Email = "ase@example.com",
        FirstName = "Åse",
        LastName = "Nordmann \"Nord\"",
        Company = "Acme & Co",
        TimeZone = "Europe/Oslo",
        Tags = ["vip", "beta"],
        Attributes = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, FieldValue>
        {
            ["plan"] = FieldValue.Of("pro"),
            ["score"] = FieldValue.Of(42.5),
            ["active"] = FieldValue.Of(true),
            ["nick"] = FieldValue.Of("<script>alert(1)</script>"),
            ["colors"] = FieldValue.Of([FieldValue.Of("red"), FieldValue.Of("blue")]),
        }),
    };

    private static OutboxMessage Message(MessageChannel channel, string? subject = null, string? payload = null, string? to = null) => new()
    {
        Id = "m-1",
        Channel = channel,
        FlowId = "f-1",
        StepId = "welcome",
        ContactId = Ase.Id,
        ContentId = channel is MessageChannel.Email or MessageChannel.Sms or MessageChannel.Push ? "content-1" : null,
        To = to ?? "ase@example.com",
        Subject = subject,
        Payload = payload,
        CreatedAt = CreatedAt,
    };

    private static ContentItem Email(string html, string? text = null, string subject = "Hello", string? from = null) => new()
    {
        Id = "content-1",
        Channel = Channel.Email,
        Name = "Welcome",
        Subject = subject,
        Html = html,
        Text = text,
        From = from,
    };

    private OutboxMessage ComposeEmail(string html, string? text = null, string subject = "Hello", string? from = null) =>
        _composer.Compose(Message(MessageChannel.Email), Ase, Email(html, text, subject, from));

    private static IDocument Parse(string html) => new HtmlParser().ParseDocument(html);

    private static List<string> Hrefs(string html) => [.. Parse(html).QuerySelectorAll("a[href]").Select(a => a.GetAttribute("href")!)];

    private TrackingClaim Read(string url, string route, TrackingKind kind)
    {
        Assert.StartsWith(Base + route, url, StringComparison.Ordinal);
        Assert.True(_tokens.TryRead(url[(Base + route).Length..], kind, out var claim), $"{url} does not carry a {kind} token");
        return claim;
    }

    // ---- email ----

    [Fact]
    public void EmailSubjectHtmlAndTextArePersonalised()
    {
        var email = ComposeEmail(
            subject: "Hi {{ contact.firstName }}",
            html: "<p>Hello {{ contact.firstName }} of {{ contact.company }}: {{ contact.attributes.plan }}, {{ contact.attributes.score }}</p>",
            text: "Hello {{ contact.firstName }} {{ contact.lastName }}");
        Assert.Equal("Hi Åse", email.Subject);
        Assert.Contains("<p>Hello Åse of Acme &amp; Co: pro, 42.5</p>", email.Html, StringComparison.Ordinal);
        Assert.StartsWith("Hello Åse Nordmann \"Nord\"\n", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelNamesAreCamelCaseAndCaseSensitive()
    {
        var sms = _composer.Compose(Message(MessageChannel.Sms, to: "+4712345678"), Ase, new ContentItem
        {
            Id = "content-1",
            Channel = Channel.Sms,
            Name = "Ids",
            Text = "{{ contact.id }}|{{ message.id }}|{{ flow.id }}|{{ contact.tags | join: ',' }}|{{ contact.attributes.active }}|"
                + "{{ contact.attributes.colors | join: '+' }}|{{ contact.timeZone }}|{{ contact.email }}|{{ contact.phone }}|{{ contact.FirstName }}{{ Contact.firstName }}|"
                + "{% if contact.attributes.score > 40 %}high{% endif %}|{{ unsubscribeUrl }}",
        });
        Assert.Equal("c-1|m-1|f-1|vip,beta|true|red+blue|Europe/Oslo|ase@example.com|||high|", sms.Text);
    }

    [Fact]
    public void HtmlEncodesInsertedValuesWhileSubjectAndTextKeepThemAsTheyAre()
    {
        var email = ComposeEmail(
            subject: "{{ contact.attributes.nick }}",
            html: "<p>{{ contact.attributes.nick }}</p>",
            text: "{{ contact.attributes.nick }}");
        Assert.DoesNotContain("<script>", email.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", email.Html, StringComparison.Ordinal);
        Assert.Empty(Parse(email.Html!).QuerySelectorAll("script"));
        Assert.Equal("<script>alert(1)</script>", email.Subject);
        Assert.StartsWith("<script>alert(1)</script>", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void LinksAreRewrittenToClickUrlsThatReadBackToTheOriginalUrl()
    {
        var email = ComposeEmail("""
            <p><a href="https://example.com/offer?a=1&amp;plan={{ contact.attributes.plan }}">Offer</a>
            <a href=" http://example.org/x#y ">X</a></p>
            """);
        var hrefs = Hrefs(email.Html!).Where(h => h.StartsWith(Base + "/t/c/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, hrefs.Count);
        var claims = hrefs.Select(h => Read(h, "/t/c/", TrackingKind.Click)).ToList();
        Assert.Equal(["https://example.com/offer?a=1&plan=pro", "http://example.org/x#y"], claims.Select(c => c.Url));
        Assert.All(claims, c => Assert.Equal(TrackingClaim.For(Message(MessageChannel.Email), TrackingKind.Click, c.Url), c));
    }

    [Fact]
    public void MailtoTelAnchorsAndTheUnsubscribeLinkAreNotTracked()
    {
        var email = ComposeEmail("""
            <a href="mailto:help@example.com">Mail</a><a href="tel:+4712345678">Call</a><a href="#top">Top</a>
            <a href="{{ unsubscribeUrl }}">Leave</a>
            """);
        var hrefs = Hrefs(email.Html!);
        Assert.Equal(["mailto:help@example.com", "tel:+4712345678", "#top", email.UnsubscribeUrl!], hrefs);
        Assert.DoesNotContain(hrefs, h => h.Contains("/t/c/", StringComparison.Ordinal));
    }

    [Fact]
    public void LinksThatAreAlreadyOursAreNotTrackedAgainButOtherPagesOfTheTrackingHostAre()
    {
        var email = ComposeEmail($"<a href=\"{Base}/t/c/AAAA\">Tracked</a><a href=\"{Base}/u/AAAA\">Other unsubscribe</a><a href=\"{Base}/pricing\">Pricing</a>");
        var hrefs = Hrefs(email.Html!);
        Assert.Equal($"{Base}/t/c/AAAA", hrefs[0]);
        Assert.Equal($"{Base}/u/AAAA", hrefs[1]);
        Assert.Equal($"{Base}/pricing", Read(hrefs[2], "/t/c/", TrackingKind.Click).Url);
    }

    [Fact]
    public void OpenPixelEndsTheBody()
    {
        var email = ComposeEmail("<p>Hi</p>");
        var pixel = Parse(email.Html!).Body!.LastElementChild!;
        Assert.Equal("IMG", pixel.TagName);
        Assert.Equal("1", pixel.GetAttribute("width"));
        Assert.Equal("1", pixel.GetAttribute("height"));
        Assert.Equal("", pixel.GetAttribute("alt"));
        Assert.Equal("display:none", pixel.GetAttribute("style"));
        Assert.Equal(TrackingClaim.For(Message(MessageChannel.Email), TrackingKind.Open), Read(pixel.GetAttribute("src")!, "/t/o/", TrackingKind.Open));
    }

    [Fact]
    public void UnsubscribeLinkIsAddedToHtmlAndTextWhenTheTemplateLeftItOut()
    {
        var email = ComposeEmail("<p>Hi</p>", text: "Hi\n\n");
        Assert.Equal(TrackingClaim.For(Message(MessageChannel.Email), TrackingKind.Unsubscribe), Read(email.UnsubscribeUrl!, "/u/", TrackingKind.Unsubscribe));
        var footer = Assert.Single(Parse(email.Html!).QuerySelectorAll("a[href]"));
        Assert.Equal(email.UnsubscribeUrl, footer.GetAttribute("href"));
        Assert.Equal("Unsubscribe", footer.TextContent);
        Assert.Equal($"Hi\n\nUnsubscribe: {email.UnsubscribeUrl}", email.Text);
    }

    [Fact]
    public void UnsubscribeLinkTheTemplatePlacedIsNotAddedAgain()
    {
        var email = ComposeEmail("<p><a href=\"{{ unsubscribeUrl }}\">Leave</a></p>", text: "Leave: {{ unsubscribeUrl }}");
        Assert.Single(Hrefs(email.Html!), email.UnsubscribeUrl!);
        Assert.Equal($"Leave: {email.UnsubscribeUrl}", email.Text);
    }

    [Fact]
    public void SimpleEmailComesOutExactlyAsExpected()
    {
        var email = ComposeEmail("<p>Hi {{ contact.firstName }}</p>");
        var open = _tokens.OpenUrl(TrackingClaim.For(Message(MessageChannel.Email), TrackingKind.Open));
        Assert.Equal(
            $"<p>Hi Åse</p><p style=\"font-size:12px;color:#666666\"><a href=\"{email.UnsubscribeUrl}\">Unsubscribe</a></p>"
            + $"<img src=\"{open}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">",
            email.Html);
        Assert.Null(email.Text);
    }

    [Fact]
    public void WholeDocumentStaysAWholeDocument()
    {
        var email = ComposeEmail("<!DOCTYPE html><html><head><title>T</title><style>p{color:red}</style></head><body><p>Hi</p></body></html>");
        Assert.StartsWith("<!DOCTYPE html><html><head><title>T</title><style>p{color:red}</style></head><body><p>Hi</p>", email.Html, StringComparison.Ordinal);
        Assert.EndsWith("style=\"display:none\"></body></html>", email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void FragmentThatStartsWithAStyleKeepsItInPlace()
    {
        var email = ComposeEmail("<style>p{color:red}</style><p>Hi</p>");
        Assert.StartsWith("<style>p{color:red}</style><p>Hi</p>", email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void FromComesFromTheContentAndNullStaysNull()
    {
        Assert.Equal("News <news@example.com>", ComposeEmail("<p>Hi</p>", from: "News <news@example.com>").From);
        Assert.Null(ComposeEmail("<p>Hi</p>").From);
    }

    [Fact]
    public void NowIsTheMessageTimeInTheContactsTimeZone()
    {
        var email = ComposeEmail("<p>Hi</p>", subject: "{{ 'now' | date: '%Y-%m-%d %H:%M' }}");
        Assert.Equal("2026-01-16 00:30", email.Subject);
    }

    [Fact]
    public void SameInputsGiveTheSameMessageAndEachTemplateIsParsedOnce()
    {
        var content = Email("<p>Hi {{ contact.firstName }} <a href=\"https://example.com\">x</a></p>", "Hi {{ contact.firstName }}", "Hi {{ contact.firstName }}!");
        var first = _composer.Compose(Message(MessageChannel.Email), Ase, content);
        var cached = _composer.CachedTemplates;
        var second = _composer.Compose(Message(MessageChannel.Email), Ase, content with { Html = new string(content.Html) });
        Assert.Equal(first, second);
        Assert.Equal(3, cached);
        Assert.Equal(cached, _composer.CachedTemplates);
    }

    // ---- sms and push ----

    [Fact]
    public void SmsTextIsRenderedWithoutEncoding()
    {
        var sms = _composer.Compose(Message(MessageChannel.Sms, to: "+4712345678"), Ase,
            new ContentItem { Id = "content-1", Channel = Channel.Sms, Name = "Nudge", Text = "Hi {{ contact.firstName }} & {{ contact.company }}" });
        Assert.Equal("Hi Åse & Acme & Co", sms.Text);
        Assert.Equal("+4712345678", sms.To);
        Assert.Null(sms.Html);
        Assert.Null(sms.UnsubscribeUrl);
    }

    [Fact]
    public void PushTitleBodyAndUrl()
    {
        var push = _composer.Compose(Message(MessageChannel.Push, to: "push-token"), Ase, new ContentItem
        {
            Id = "content-1",
            Channel = Channel.Push,
            Name = "Ping",
            Title = "Hey {{ contact.firstName }}",
            Body = "Your {{ contact.attributes.plan }} plan",
            Url = "https://example.com/app",
        });
        Assert.Equal("Hey Åse", push.Subject);
        Assert.Equal("Your pro plan", push.Text);
        Assert.Equal("https://example.com/app", push.Url);
    }

    // ---- crm and webhook ----

    [Fact]
    public void CrmPayloadIsTheActivityAsJson()
    {
        var activity = _composer.Compose(Message(MessageChannel.Crm, subject: "Call {{ contact.firstName }}", payload: "FollowUp"), Ase, null);
        Assert.Equal("Call Åse", activity.Subject);
        using var json = JsonDocument.Parse(activity.Payload!);
        var root = json.RootElement;
        Assert.Equal("m-1", root.GetProperty("messageId").GetString());
        Assert.Equal("followUp", root.GetProperty("kind").GetString());
        Assert.Equal("Call Åse", root.GetProperty("title").GetString());
        Assert.Equal("c-1", root.GetProperty("contactId").GetString());
        Assert.Equal("f-1", root.GetProperty("flowId").GetString());
        Assert.Equal("welcome", root.GetProperty("stepId").GetString());
        var contact = root.GetProperty("contact");
        Assert.Equal("ase@example.com", contact.GetProperty("email").GetString());
        Assert.Equal("Åse", contact.GetProperty("firstName").GetString());
        Assert.Equal("Nordmann \"Nord\"", contact.GetProperty("lastName").GetString());
        Assert.Equal("Acme & Co", contact.GetProperty("company").GetString());
        Assert.Equal(JsonValueKind.Null, contact.GetProperty("phone").ValueKind);
        Assert.Equal(["messageId", "kind", "title", "contactId", "flowId", "stepId", "contact"], root.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void WebhookJsonBodyEscapesInsertedValues()
    {
        var webhook = _composer.Compose(
            Message(MessageChannel.Webhook, subject: "POST", to: "https://hooks.example.com/in",
                payload: """{"name": "{{ contact.firstName }} {{ contact.lastName }}", "nick": "{{ contact.attributes.nick }}", "score": {{ contact.attributes.score }}}"""),
            Ase, null);
        Assert.Equal("POST", webhook.Method);
        Assert.Null(webhook.Subject);
        Assert.Equal("https://hooks.example.com/in", webhook.To);
        using var json = JsonDocument.Parse(webhook.Payload!);
        Assert.Equal("Åse Nordmann \"Nord\"", json.RootElement.GetProperty("name").GetString());
        Assert.Equal("<script>alert(1)</script>", json.RootElement.GetProperty("nick").GetString());
        Assert.Equal(42.5, json.RootElement.GetProperty("score").GetDouble());
    }

    [Fact]
    public void WebhookBodyThatIsNotJsonIsRenderedPlain()
    {
        var webhook = _composer.Compose(Message(MessageChannel.Webhook, subject: "PUT", payload: "name={{ contact.lastName }}"), Ase, null);
        Assert.Equal("name=Nordmann \"Nord\"", webhook.Payload);
        Assert.Equal("PUT", webhook.Method);
    }

    // ---- what cannot be composed ----

    [Fact]
    public void BrokenTemplateNamesTheFieldAndTheLine()
    {
        var error = Assert.Throws<MessageCompositionException>(() => ComposeEmail("<p>Hi</p>\n<p>{{ contact.firstName | }}</p>"));
        Assert.StartsWith("html ", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 2, column", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RunawayLoopStopsWithACompositionError()
    {
        Assert.Throws<MessageCompositionException>(() => ComposeEmail("<p>{% for i in (1..10000000) %}x{% endfor %}</p>"));
    }

    [Fact]
    public void ContentOfAnotherChannelOrAnotherContactIsRefused()
    {
        var sms = new ContentItem { Id = "content-1", Channel = Channel.Sms, Name = "Nudge", Text = "Hi" };
        Assert.Throws<ArgumentException>(() => _composer.Compose(Message(MessageChannel.Email), Ase, sms));
        Assert.Throws<ArgumentException>(() => _composer.Compose(Message(MessageChannel.Email), Ase, null));
        Assert.Throws<ArgumentException>(() => _composer.Compose(Message(MessageChannel.Sms), Ase with { Id = "c-2" }, sms));
    }
}
