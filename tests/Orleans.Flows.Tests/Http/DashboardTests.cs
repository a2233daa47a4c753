using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary>
/// The Orleans dashboard opens only to a browser that signed in with an admin key: the key is sent once, in a form,
/// and the session lives in an HttpOnly, SameSite=Strict cookie.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class DashboardTests(ApiFixture api)
{
    /// <summary>A browser: keeps cookies, does not follow redirects, sends no API key.</summary>
    private HttpClient Browser() => api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    [Fact]
    public async Task WithoutSigningInTheDashboardSendsTheBrowserToTheSignInPage()
    {
        var browser = Browser();
        foreach (var path in new[] { "/dashboard", "/dashboard/", "/dashboard/index.min.js", "/dashboard/ClusterStats", "/dashboard/GrainTypes" })
        {
            var response = await browser.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{path}: {(int)response.StatusCode}");
            Assert.StartsWith("/dashboard/signin", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnApiKeyHeaderDoesNotOpenTheDashboard()
    {
        var client = Browser();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiFixture.AdminKey);
        var response = await client.GetAsync("/dashboard/ClusterStats");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [Fact]
    public async Task AnAdminKeySignsInWithAnHttpOnlyStrictSessionCookieAndOpensTheDashboard()
    {
        var browser = Browser();
        var response = await SignIn(browser, ApiFixture.AdminKey);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dashboard/", response.Headers.Location!.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("flows_dashboard=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("expires=", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ApiFixture.AdminKey, cookie, StringComparison.Ordinal);

        var page = await browser.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);

        // The dashboard's own data calls answer with the cluster: this API's silo, once its first sample is taken.
        var deadline = DateTime.UtcNow + HttpKit.Timeout;
        JsonElement counters;
        do
        {
            var stats = await browser.GetAsync("/dashboard/DashboardCounters");
            Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
            counters = JsonDocument.Parse(await stats.Content.ReadAsStringAsync()).RootElement.Clone();
            if (counters.GetProperty("totalActiveHostCount").GetInt32() >= 1) return;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail("the dashboard never saw a silo: " + counters);
    }

    [Theory]
    [InlineData(ApiFixture.EditorKey, HttpStatusCode.Forbidden)]
    [InlineData(ApiFixture.IngestKey, HttpStatusCode.Forbidden)]
    [InlineData("not-a-key", HttpStatusCode.Unauthorized)]
    [InlineData("", HttpStatusCode.Unauthorized)]
    public async Task OtherKeysAreRefusedAndGetNoCookie(string key, HttpStatusCode status)
    {
        var browser = Browser();
        var response = await SignIn(browser, key);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains("<form", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("flows_dashboard=", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/dashboard/ClusterStats")).StatusCode);
    }

    [Fact]
    public async Task ASignInWithoutTheFormsTokenIsRefused()
    {
        // A page elsewhere cannot sign a visitor in with a key of its choosing: the form carries an antiforgery token.
        var browser = Browser();
        var response = await browser.PostAsync("/dashboard/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = ApiFixture.AdminKey }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/dashboard/ClusterStats")).StatusCode);
    }

    [Fact]
    public async Task SigningOutClosesTheDashboard()
    {
        var browser = Browser();
        await SignIn(browser, ApiFixture.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/dashboard/GrainTypes")).StatusCode);

        var page = await (await browser.GetAsync("/dashboard/signin")).Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostAsync("/dashboard/signout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/dashboard/GrainTypes")).StatusCode);
        Assert.Contains("password", page, StringComparison.Ordinal);
    }

    /// <summary>Loads the sign-in page, then posts its form with <paramref name="key"/>, as a browser does.</summary>
    private static async Task<HttpResponseMessage> SignIn(HttpClient browser, string key)
    {
        var page = await browser.GetAsync("/dashboard/signin");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(html);
        Assert.True(token.Success, "the sign-in form carries no antiforgery token");
        return await browser.PostAsync("/dashboard/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [WebUtility.HtmlDecode(token.Groups["name"].Value)] = WebUtility.HtmlDecode(token.Groups["value"].Value),
            ["key"] = key,
        }));
    }

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]+)">""")]
    private static partial Regex AntiforgeryField();
}
