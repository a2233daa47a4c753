using System.Net;
using Microsoft.Extensions.Configuration;
using Orleans.Flows.Api.Limits;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary><c>Api:RateLimit:PerKeyPerSecond</c>: a key over its rate gets 429 with Retry-After; other keys do not notice.</summary>
[Collection(LimitsCollection.Name)]
public sealed class RateLimitTests(LimitsFixture api)
{
    [Fact]
    public async Task OneKeysBurstIs429WithRetryAfterWhileAnotherKeyIsServed()
    {
        var burst = api.Client(LimitsFixture.BurstKey);
        var bystander = api.Client(LimitsFixture.BystanderKey);

        var burstCalls = Enumerable.Range(0, LimitsFixture.PerKeyPerSecond * 5).Select(_ => burst.GetAsync("/v1/content")).ToList();
        var bystanderCalls = Enumerable.Range(0, LimitsFixture.PerKeyPerSecond / 2).Select(_ => bystander.GetAsync("/v1/content")).ToList();
        var burstResponses = await Task.WhenAll(burstCalls);
        var bystanderResponses = await Task.WhenAll(bystanderCalls);

        var statuses = burstResponses.Select(r => r.StatusCode).ToList();
        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"unexpected {(int)s}"));
        foreach (var response in bystanderResponses) await response.Expect(HttpStatusCode.OK);

        var rejected = burstResponses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        var problem = await rejected.ExpectProblem(HttpStatusCode.TooManyRequests);
        Assert.Contains("Retry-After", problem.Str("detail"), StringComparison.Ordinal);
        var retryAfter = rejected.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter is { TotalSeconds: >= 1 }, $"Retry-After: {rejected.Headers.RetryAfter}");

        await Task.Delay(retryAfter!.Value);
        await (await burst.GetAsync("/v1/content")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RequestsWithoutAValidKeyAre401NeverCounted()
    {
        var unknown = api.Client("limits-unknown-key");
        var calls = await Task.WhenAll(Enumerable.Range(0, LimitsFixture.PerKeyPerSecond * 3).Select(_ => unknown.GetAsync("/v1/content")));
        Assert.All(calls, c => Assert.Equal(HttpStatusCode.Unauthorized, c.StatusCode));
    }

    [Fact]
    public async Task TrackingAndHealthAreNotLimitedPerKey()
    {
        var burst = api.Client(LimitsFixture.BurstKey);
        var calls = await Task.WhenAll(Enumerable.Range(0, LimitsFixture.PerKeyPerSecond * 3).Select(_ => burst.GetAsync("/health/live")));
        Assert.All(calls, c => Assert.Equal(HttpStatusCode.OK, c.StatusCode));
        var links = await Task.WhenAll(Enumerable.Range(0, LimitsFixture.PerKeyPerSecond * 3).Select(_ => burst.GetAsync("/t/o/not-a-token")));
        Assert.All(links, c => Assert.Equal(HttpStatusCode.NotFound, c.StatusCode));
    }

    [Theory]
    [InlineData(true, null, null)]
    [InlineData(false, null, 1000)]
    [InlineData(true, "5", 5)]
    [InlineData(false, "5", 5)]
    [InlineData(false, "0", null)]
    public void TheLimitIsUnlimitedInDevelopmentUnlessConfigured(bool developmentMode, string? configured, int? expected)
    {
        var settings = new Dictionary<string, string?>();
        if (configured is not null) settings[ApiRateLimits.ConfigurationKey] = configured;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        Assert.Equal(expected, ApiRateLimits.PerKeyPerSecond(configuration, developmentMode));
    }
}
