using System.Collections.Concurrent;
using Fluid;
using Orleans.Flows.Content;

namespace Orleans.Flows.Delivery;

/// <summary>
/// Parsed templates by their text, so that a content sent to a million contacts is parsed once per silo. Keyed by the
/// text itself (not a hash of it): two templates never share an entry. Bounded by entries and characters; when full
/// it starts over, which costs a parse of each template still in use — content changes rarely.
/// </summary>
internal sealed class TemplateCache(int maxEntries = 1024, long maxChars = 16 * 1024 * 1024)
{
    private readonly ConcurrentDictionary<string, IFluidTemplate> _templates = new(StringComparer.Ordinal);
    private long _chars;

    public int Count => _templates.Count;

    /// <param name="field">What the template is, for the error: <c>html</c>, <c>subject</c>, <c>title</c>, …</param>
    /// <exception cref="MessageCompositionException">The text does not parse.</exception>
    public IFluidTemplate Get(string text, string field)
    {
        if (_templates.TryGetValue(text, out var cached)) return cached;
        if (!ContentValidator.TryParse(text, out var template, out var error)) throw new MessageCompositionException($"{field} {error}");
        if (text.Length > maxChars / 4) return template;
        if (_templates.Count >= maxEntries || Interlocked.Read(ref _chars) + text.Length > maxChars)
        {
            _templates.Clear();
            Interlocked.Exchange(ref _chars, 0);
        }
        if (_templates.TryAdd(text, template)) Interlocked.Add(ref _chars, text.Length);
        return template;
    }
}
