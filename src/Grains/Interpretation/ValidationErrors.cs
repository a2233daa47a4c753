using System.Collections.Immutable;

namespace Orleans.Flows.Interpretation;

/// <summary>Collects messages by JSON path, as a problem response lists them.</summary>
public sealed class ValidationErrors
{
    private readonly SortedDictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public void Add(string path, string message)
    {
        if (!_errors.TryGetValue(path, out var list)) _errors[path] = list = [];
        if (!list.Contains(message)) list.Add(message);
    }

    public ImmutableSortedDictionary<string, string[]> ToImmutable() =>
        _errors.ToImmutableSortedDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
