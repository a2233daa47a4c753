namespace Orleans.Flows.Api.Auth;

public static partial class ApiKeySetup
{
    /// <summary>
    /// The configured keys; without any, development mode accepts <c>dev-admin-key</c> as admin and any other
    /// mode accepts no key at all.
    /// </summary>
    public static ApiKeyRing CreateRing(IConfiguration configuration, bool developmentMode, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("Orleans.Flows.Api.Auth");
        var options = configuration.GetSection(ApiKeyOptions.Section).Get<ApiKeyOptions>() ?? new ApiKeyOptions();
        var keys = options.Keys.Where(k => !string.IsNullOrEmpty(k.Key)).ToList();
        foreach (var key in keys)
            if (!Roles.All.Contains(key.Role))
                throw new InvalidOperationException($"Api:Keys has a key with role '{key.Role}'; roles are admin, editor and ingest.");
        if (keys.Count == 0 && developmentMode)
        {
            LogWarningDevelopmentKey(logger);
            keys.Add(new ApiKeyEntry { Key = ApiKeyOptions.DevelopmentAdminKey, Role = Roles.Admin });
        }
        else if (keys.Count == 0)
        {
            LogErrorNoKeys(logger);
        }
        return new ApiKeyRing(keys);
    }

    // Keys are never written to the log, not even the documented development key.
    [LoggerMessage(Level = LogLevel.Warning, Message = "No Api:Keys configured: development mode accepts the documented development key (README, Walk-through) as admin")]
    private static partial void LogWarningDevelopmentKey(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "No Api:Keys configured: every request will be refused with 401")]
    private static partial void LogErrorNoKeys(ILogger logger);
}
