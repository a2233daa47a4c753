namespace Orleans.Flows.Delivery;

/// <summary>
/// The send rate of one channel across the cluster (key: the channel's name). Every silo's dispatcher asks it for
/// permits before it claims messages, so the configured rate holds however many silos send.
/// </summary>
public interface IDeliveryRateGrain : IGrainWithStringKey
{
    /// <summary>Grants up to <paramref name="wanted"/> sends now at <paramref name="ratePerSecond"/>; 0 when the bucket is empty.</summary>
    Task<RateGrant> AcquireAsync(int wanted, double ratePerSecond);
}

/// <param name="RetryAfter">When some is granted 0: how long until the next permit.</param>
[GenerateSerializer, Immutable, Alias("flows.RateGrant")]
public sealed record RateGrant([property: Id(0)] int Granted, [property: Id(1)] TimeSpan RetryAfter);
