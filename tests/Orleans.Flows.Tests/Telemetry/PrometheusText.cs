using System.Globalization;
using System.Text.RegularExpressions;

namespace Orleans.Flows.Tests.Telemetry;

/// <summary>The samples of a Prometheus text scrape: <c>name{label="value",…} 12.5</c>, one a line.</summary>
internal sealed partial class PrometheusText(string text)
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = Parse(text);

    public string Text { get; } = text;

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include all of <paramref name="labels"/>; null when none.</summary>
    public double? Value(string name, params (string Label, string Value)[] labels)
    {
        var matching = _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)).ToList();
        return matching.Count == 0 ? null : matching.Sum(s => s.Value);
    }

    public bool Has(string namePrefix) => _samples.Any(s => s.Name.StartsWith(namePrefix, StringComparison.Ordinal));

    private static List<(string, Dictionary<string, string>, double)> Parse(string text)
    {
        var samples = new List<(string, Dictionary<string, string>, double)>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var match = Sample().Match(line);
            if (!match.Success) continue;
            var labels = Label().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var v => double.Parse(v, CultureInfo.InvariantCulture),
            };
            samples.Add((match.Groups["name"].Value, labels, value));
        }
        return samples;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)")]
    private static partial Regex Sample();

    [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex Label();
}
