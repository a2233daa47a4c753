namespace Orleans.Flows.Participants;

/// <summary>How an enrollment job pages its segment (<c>Enrollment:*</c>).</summary>
public sealed class EnrollmentJobOptions
{
    public const string Section = "Enrollment";

    /// <summary>Members read and enrolled as one page; the job's cursor moves a page at a time. Default 1 000.</summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>Pages with the worker shards at once: the back-pressure on the cluster. Default 8.</summary>
    public int PagesInFlight { get; set; } = 8;
}
