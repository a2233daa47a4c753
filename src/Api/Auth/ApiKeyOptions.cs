namespace Orleans.Flows.Api.Auth;

/// <summary><c>Api:Keys:{n}:Key</c> and <c>Api:Keys:{n}:Role</c>: who may call the API.</summary>
public sealed class ApiKeyOptions
{
    public const string Section = "Api";

    /// <summary>The development default when no key is configured and no database is set.</summary>
    public const string DevelopmentAdminKey = "dev-admin-key";

    public List<ApiKeyEntry> Keys { get; set; } = [];
}

public sealed class ApiKeyEntry
{
    public string Key { get; set; } = "";

    /// <summary><c>admin</c>, <c>editor</c> or <c>ingest</c>.</summary>
    public string Role { get; set; } = "";
}

/// <summary>The roles of API.md and what each may do.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Editor = "editor";
    public const string Ingest = "ingest";

    public static readonly string[] All = [Admin, Editor, Ingest];
}

/// <summary>Authorization policies, one per kind of call.</summary>
public static class Policies
{
    /// <summary>Read flows, stats, participants, content and contacts: admin, editor.</summary>
    public const string Read = "read";

    /// <summary>Create and edit content: admin, editor.</summary>
    public const string EditContent = "editContent";

    /// <summary>Write contacts and events: admin, ingest.</summary>
    public const string Ingest = "ingest";

    /// <summary>Everything else (flows, enrollment, deleting content): admin.</summary>
    public const string Admin = "admin";
}
