using Microsoft.AspNetCore.Hosting;

namespace Orleans.Flows.Tests.Infrastructure;

/// <summary>
/// The API with small limits: <see cref="PerKeyPerSecond"/> requests a second per key and bodies of at most
/// <see cref="MaxBodyBytes"/> bytes, with admin keys of its own so that one test's burst is not another's.
/// </summary>
public sealed class LimitsFixture : ApiFixture
{
    public const int PerKeyPerSecond = 20;
    public const int MaxBodyBytes = 4096;
    public const string BurstKey = "limits-burst-key";
    public const string BystanderKey = "limits-bystander-key";
    public const string BodyKey = "limits-body-key";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Api:RateLimit:PerKeyPerSecond", PerKeyPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Api:MaxBodyBytes", MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        string[] keys = [BurstKey, BystanderKey, BodyKey];
        for (var i = 0; i < keys.Length; i++)
        {
            builder.UseSetting($"Api:Keys:{3 + i}:Key", keys[i]);
            builder.UseSetting($"Api:Keys:{3 + i}:Role", "admin");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class LimitsCollection : ICollectionFixture<LimitsFixture>
{
    public const string Name = "limits";
}
