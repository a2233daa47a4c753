namespace Orleans.Flows.Tests.Infrastructure;

/// <summary>Waits for something asynchronous to become true, and says what did not happen when it times out.</summary>
public static class Eventually
{
    public static async Task<T> Matches<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last;
        while (true)
        {
            last = await probe();
            if (condition(last)) return last;
            if (DateTime.UtcNow > deadline) break;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting until {what}. Last value: {last}");
    }
}
