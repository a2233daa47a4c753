using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Orleans.Flows.Delivery;

/// <summary>
/// Puts tracking into a rendered email body with a real HTML parser: every http(s) link through click tracking, the
/// unsubscribe link (never tracked) in if the template left it out, and the open pixel at the end of the body.
/// </summary>
internal static class TrackedHtml
{
    /// <param name="clickUrl">The tracked url of a link, or null to leave that link as it is.</param>
    /// <returns>
    /// The html as AngleSharp writes it back: a whole document stays a whole document, a fragment (no <c>html</c>,
    /// <c>body</c> or doctype) stays a fragment.
    /// </returns>
    public static string Rewrite(string html, Func<string, string?> clickUrl, string unsubscribeUrl, string openPixelUrl)
    {
        var parser = new HtmlParser();
        var whole = IsDocument(html);
        var document = parser.ParseDocument(whole ? html : string.Empty);
        var body = document.Body ?? document.DocumentElement;
        if (!whole)
        {
            // Parsed in the body's context, a leading <style> or <meta> stays where it was instead of moving to <head>.
            foreach (var node in parser.ParseFragment(html, body).ToArray()) body.AppendChild(node);
        }

        var hasUnsubscribe = false;
        foreach (var anchor in document.QuerySelectorAll("a[href]"))
        {
            var href = anchor.GetAttribute("href")!.Trim();
            if (string.Equals(href, unsubscribeUrl, StringComparison.Ordinal))
            {
                hasUnsubscribe = true;
                continue;
            }
            if (IsHttp(href) && clickUrl(href) is { } tracked) anchor.SetAttribute("href", tracked);
        }
        hasUnsubscribe |= body.TextContent.Contains(unsubscribeUrl, StringComparison.Ordinal);

        if (!hasUnsubscribe) body.AppendChild(Footer(document, unsubscribeUrl));
        body.AppendChild(Pixel(document, openPixelUrl));
        return whole ? document.ToHtml() : body.InnerHtml;
    }

    private static bool IsDocument(string html) =>
        html.Contains("<html", StringComparison.OrdinalIgnoreCase) || html.Contains("<body", StringComparison.OrdinalIgnoreCase)
        || html.Contains("<!doctype", StringComparison.OrdinalIgnoreCase);

    private static bool IsHttp(string href) =>
        Uri.TryCreate(href, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static IElement Footer(IDocument document, string unsubscribeUrl)
    {
        var paragraph = document.CreateElement("p");
        paragraph.SetAttribute("style", "font-size:12px;color:#666666");
        var link = document.CreateElement("a");
        link.SetAttribute("href", unsubscribeUrl);
        link.TextContent = "Unsubscribe";
        paragraph.AppendChild(link);
        return paragraph;
    }

    private static IElement Pixel(IDocument document, string openPixelUrl)
    {
        var image = document.CreateElement("img");
        image.SetAttribute("src", openPixelUrl);
        image.SetAttribute("width", "1");
        image.SetAttribute("height", "1");
        image.SetAttribute("alt", "");
        image.SetAttribute("style", "display:none");
        return image;
    }
}
