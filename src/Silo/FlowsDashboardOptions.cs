using Microsoft.Extensions.Configuration;

namespace Orleans.Flows.Silo;

/// <summary>
/// <c>Dashboard:Enabled</c>: the Orleans dashboard at <c>/dashboard</c>. On by default; every silo and the API must
/// agree, because the dashboard's grain service runs on each silo and its pages are served by the API.
/// </summary>
public static class FlowsDashboardOptions
{
    public const string Section = "Dashboard";

    /// <summary>Default true. False removes the dashboard, and the profiling of every grain call that feeds it.</summary>
    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue(Section + ":Enabled", true);
}
