using Orleans.Flows.Statistics;

namespace Orleans.Flows.Api.Http;

/// <summary>
/// Statistics and participant lists are fed by per-silo buffers every 250 ms. When this process co-hosts the
/// silo, a read flushes the local buffer first, so a client reads its own writes.
/// </summary>
public static class ReadModels
{
    public static Task FlushLocalAsync(HttpContext context) =>
        context.RequestServices.GetService<FlowReadModelBuffer>()?.FlushAsync() ?? Task.CompletedTask;
}
