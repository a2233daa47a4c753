namespace Orleans.Flows.Delivery;

/// <summary>
/// A token bucket in memory: it refills at the rate and holds at most a fifth of a second's worth, so bursts stay
/// small. Losing it with its silo loses nothing but that fifth of a second.
/// </summary>
public sealed class DeliveryRateGrain(TimeProvider time) : Grain, IDeliveryRateGrain
{
    private double _tokens;
    private DateTimeOffset _refilledAt = time.GetUtcNow();

    public Task<RateGrant> AcquireAsync(int wanted, double ratePerSecond)
    {
        var now = time.GetUtcNow();
        var capacity = Math.Max(1, ratePerSecond / 5);
        _tokens = Math.Min(capacity, _tokens + (now - _refilledAt).TotalSeconds * ratePerSecond);
        _refilledAt = now;
        var granted = (int)Math.Min(wanted, Math.Floor(_tokens));
        _tokens -= granted;
        var retryAfter = granted > 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((1 - _tokens) / ratePerSecond);
        return Task.FromResult(new RateGrant(granted, retryAfter));
    }
}
