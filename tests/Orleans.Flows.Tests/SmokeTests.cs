using System.Net;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests;

[Collection(ApiCollection.Name)]
public sealed class SmokeTests(ApiFixture api)
{
    [Fact]
    public async Task ReadyWhenTheCohostedSiloAnswers()
    {
        var response = await api.Client(null).GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

[Collection(ClusterCollection.Name)]
public sealed class ClusterSmokeTests(ClusterFixture cluster)
{
    [Fact]
    public async Task UnknownFlowHasNoSnapshot()
    {
        var flow = await cluster.Grains.GetGrain<Flows.IFlowGrain>(TestIds.New("flow")).GetAsync();
        Assert.Null(flow);
    }
}
