using System.Net;

namespace Orleans.Flows.Tests.Http;

/// <summary>What a refused call must leave as it was: read before the call, a verifier to run after it.</summary>
internal static class StateWatch
{
    /// <summary>Reads <paramref name="url"/> as admin now; the verifier asserts that it answers the same status and body later.</summary>
    public static async Task<Func<Task>> Snapshot(HttpClient admin, string url)
    {
        var before = await Read(admin, url);
        return async () =>
        {
            var after = await Read(admin, url);
            Assert.True(before == after, $"GET {url} changed:\nbefore: {before}\nafter:  {after}");
        };
    }

    /// <summary>Snapshots of several urls, verified together.</summary>
    public static async Task<Func<Task>> Snapshot(HttpClient admin, params string[] urls)
    {
        var verifiers = new List<Func<Task>>();
        foreach (var url in urls) verifiers.Add(await Snapshot(admin, url));
        return async () =>
        {
            foreach (var verify in verifiers) await verify();
        };
    }

    /// <summary>Asserts that the event was not recorded: the admin's own post of it is accepted, not a duplicate.</summary>
    public static Func<Task> EventNotRecorded(HttpClient admin, string contactId, string eventId) => async () =>
    {
        var (accepted, duplicates) = await admin.Ingest(HttpKit.Event(contactId, "matrix.check", id: eventId));
        Assert.True(accepted == 1 && duplicates == 0, $"event '{eventId}' was recorded by the refused call");
    };

    private static async Task<string> Read(HttpClient admin, string url)
    {
        using var response = await admin.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        return $"{(int)response.StatusCode} {(response.StatusCode == HttpStatusCode.OK ? body : "")}";
    }
}
