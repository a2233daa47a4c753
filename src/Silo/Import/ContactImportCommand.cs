using System.Globalization;

namespace Orleans.Flows.Silo.Import;

/// <summary>
/// <c>import &lt;file&gt; [--url http://localhost:5000] [--key &lt;api key&gt;] [--batch-size 5000] [--parallel 4]</c>: streams a
/// file of contacts into a running service. The key may also come from <c>FLOWS_API_KEY</c>. Exit codes: 0 every row
/// imported, 1 some rows rejected, 2 a bad argument, an unreadable file or an API that cannot be reached or refuses.
/// </summary>
public static class ContactImportCommand
{
    public const string Usage =
        "usage: import <file.ndjson|file.jsonl|file.csv> [--url http://localhost:5000] [--key <api key>] [--batch-size 5000] [--parallel 4]\n" +
        "       the key may also come from the environment variable FLOWS_API_KEY";

    public const string KeyVariable = "FLOWS_API_KEY";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors, CancellationToken cancellationToken = default)
    {
        string? file = null;
        var url = "http://localhost:5000";
        var key = Environment.GetEnvironmentVariable(KeyVariable);
        var options = new ContactImportOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (file is not null) return Bad(errors, $"one file only, not also '{arg}'");
                file = arg;
                continue;
            }
            if (arg is "--help" or "-h")
            {
                output.WriteLine(Usage);
                return 0;
            }
            if (i + 1 >= args.Length) return Bad(errors, $"{arg} needs a value");
            var value = args[++i];
            switch (arg)
            {
                case "--url":
                    url = value;
                    break;
                case "--key":
                    key = value;
                    break;
                case "--batch-size" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size):
                    options = options with { BatchSize = size };
                    break;
                case "--parallel" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parallel):
                    options = options with { Parallel = parallel };
                    break;
                case "--batch-size" or "--parallel":
                    return Bad(errors, $"{arg} needs a whole number, not '{value}'");
                default:
                    return Bad(errors, $"unknown option {arg}");
            }
        }
        if (file is null) return Bad(errors, "which file?");
        if (options.Problem() is { } problem) return Bad(errors, problem);
        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("http" or "https"))
            return Bad(errors, $"--url must be an http(s) address, not '{url}'");
        if (string.IsNullOrWhiteSpace(key)) return Bad(errors, $"no API key: give --key or set {KeyVariable}");

        // Retries and their timeouts are the importer's: the client itself never gives up on its own.
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        var result = await new ContactFileImport(client, options, output, errors).ImportFileAsync(file, cancellationToken);
        return result.ExitCode;
    }

    private static int Bad(TextWriter errors, string message)
    {
        errors.WriteLine("import: " + message);
        errors.WriteLine(Usage);
        return 2;
    }
}
