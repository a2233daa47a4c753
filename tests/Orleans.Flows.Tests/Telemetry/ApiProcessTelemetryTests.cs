using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Orleans.Flows.Tests.Durable;
using Orleans.Flows.Tests.Http;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Telemetry;

/// <summary>
/// The real API process (Release build, development mode, logging at Debug everywhere): a journey of a few contacts,
/// then what an operator sees: the engine's instruments in <c>/metrics</c>, and a log that follows a request by its
/// trace id into the grains without ever writing an address or a key.
/// </summary>
public sealed class ApiProcessTelemetryTests
{
    private const int Contacts = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task MetricsCountTheJourneyAndTheLogKeepsTraceIdsButNoAddressesOrKeys()
    {
        var key = "telemetry-key-" + Guid.NewGuid().ToString("N");
        var port = ApiFixture.FreePort();
        await using var api = ServiceProcess.Start("api", ServiceProcess.Assembly("Api", "Orleans.Flows.Api.dll"), new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Orleans__SiloPort"] = ApiFixture.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = ApiFixture.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Api__Keys__0__Key"] = key,
            ["Api__Keys__0__Role"] = "admin",
            // As chatty as it gets: appsettings.json quiets these categories, the test does not.
            ["Logging__LogLevel__Default"] = "Debug",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Debug",
            ["Logging__LogLevel__Orleans"] = "Debug",
            ["Logging__LogLevel__Orleans.Flows"] = "Debug",
            ["Logging__LogLevel__Polly"] = "Debug",
        });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitUntilReadyAsync(api, client);
        client.DefaultRequestHeaders.Add("X-Api-Key", key);

        var flowId = await client.Flow(start: true, wait: "PT2S");
        var contacts = Enumerable.Range(0, Contacts).Select(i => (
            Id: TestIds.New("tel"),
            Email: $"telemetry.person{i}.{Guid.NewGuid():N}@example.com",
            Phone: "+47" + Random.Shared.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture))).ToList();
        foreach (var c in contacts)
        {
            await (await client.PutJson($"/v1/contacts/{c.Id}",
                $$"""{"email": "{{c.Email}}", "phone": "{{c.Phone}}", "firstName": "Tess", "consent": {"email": true, "sms": true} }""")).Expect(HttpStatusCode.OK);
        }

        // The enrollment continues a trace that a caller started (sampled): the grains' log lines must carry its id.
        // HttpClient writes the traceparent of the current activity (and an in-process API host's OpenTelemetry would
        // overwrite a header set by hand), so the caller's trace is an activity of this test.
        var traceId = ActivityTraceId.CreateRandom();
        using (var caller = new Activity("telemetry-test-caller").SetParentId(traceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded).Start())
        {
            var result = await (await client.PostAsJsonAsync($"/v1/flows/{flowId}/participants", new { contactIds = contacts.Select(c => c.Id) })).Expect(HttpStatusCode.OK);
            Assert.Equal(Contacts, result.GetProperty("enrolled").GetInt32());
        }

        // One event per contact, and one posted twice: duplicates are not counted.
        var events = contacts.Select(c => HttpKit.Event(c.Id, "page.viewed")).ToArray();
        Assert.Equal((Contacts, 0), await client.Ingest(events));
        Assert.Equal((0, 1), await client.Ingest(events[0]));

        foreach (var c in contacts)
            await client.EventuallyGet($"/v1/flows/{flowId}/participants/{c.Id}", p => p.Str("status") == "completed", $"{c.Id} completed its journey");

        // The outbox depth is sampled every few seconds, and the last sends are recorded just after the journeys end.
        using var scraper = new HttpClient { BaseAddress = client.BaseAddress };
        var metrics = await Eventually.Matches(
            async () => new PrometheusText(await scraper.GetStringAsync("/metrics")),
            m => m.Value("flows_outbox_depth") == 0 && m.Value("flows_messages_total", ("channel", "sms"), ("status", "sent")) == Contacts,
            TimeSpan.FromSeconds(30),
            "the outbox is empty and every SMS is sent");

        Assert.Equal(Contacts, metrics.Value("flows_enrollments_total"));
        Assert.Equal(Contacts, metrics.Value("flows_events_ingested_total"));
        foreach (var type in new[] { "sendEmail", "wait", "sendSms", "end" })
            Assert.True(Contacts == metrics.Value("flows_steps_executed_total", ("type", type)), $"flows_steps_executed_total{{type=\"{type}\"}} should be {Contacts}:\n{Lines(metrics, "flows_steps")}");
        foreach (var channel in new[] { "email", "sms" })
        {
            Assert.Equal(Contacts, metrics.Value("flows_messages_total", ("channel", channel), ("status", "queued")));
            Assert.Equal(Contacts, metrics.Value("flows_messages_total", ("channel", channel), ("status", "sent")));
            Assert.Null(metrics.Value("flows_messages_total", ("channel", channel), ("status", "failed")));
        }
        Assert.Equal(Contacts, metrics.Value("flows_wakeup_lateness_seconds_count"));
        Assert.True(metrics.Value("flows_wakeup_lateness_seconds_sum") >= 0, Lines(metrics, "flows_wakeup"));
        Assert.Equal(Contacts, metrics.Value("flows_wakeup_lateness_seconds_bucket", ("le", "+Inf")));
        Assert.Equal(0, metrics.Value("flows_outbox_depth"));

        await api.StopAsync(TimeSpan.FromSeconds(20));
        foreach (var c in contacts)
        {
            Assert.True(api.CountLines(c.Email) == 0, $"the log names {c.Email}:\n{api.Tail()}");
            Assert.True(api.CountLines(c.Phone) == 0, $"the log names {c.Phone}:\n{api.Tail()}");
            Assert.True(api.CountLines(c.Phone[3..]) == 0, $"the log names {c.Phone[3..]}:\n{api.Tail()}");
        }
        Assert.True(api.CountLines(key) == 0, $"the log names the API key:\n{api.Tail()}");
        Assert.True(api.CountLines($"Participant {flowId}/") >= Contacts, $"the participants' lines name flow and contact:\n{api.Tail()}");
        Assert.True(api.CountLines($"TraceId:{traceId}") > 0, $"no log line carries the caller's trace id {traceId}:\n{api.Tail()}");
        Assert.True(api.CountLines($"TraceId:{traceId}", "Orleans.Flows.Participants.ParticipantGrain", $"Participant {flowId}/") > 0,
            $"the participant grains' lines of the enrollment do not carry the caller's trace id {traceId}:\n{api.Tail()}");
    }

    private static string Lines(PrometheusText metrics, string prefix) =>
        string.Join('\n', metrics.Text.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)));

    private static async Task WaitUntilReadyAsync(ServiceProcess api, HttpClient client)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        var last = "";
        while (true)
        {
            try
            {
                using var response = await client.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK) return;
                last = $"{(int)response.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            Assert.False(api.HasExited, $"the API exited before it was ready:\n{api.Tail()}");
            Assert.True(DateTime.UtcNow < deadline, $"the API was not ready within {StartTimeout.TotalSeconds} s (last: {last}):\n{api.Tail()}");
            await Task.Delay(250);
        }
    }
}
