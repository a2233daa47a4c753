namespace Orleans.Flows.Values;

/// <summary>
/// The bounds of what a client may send, in one place so that the API and the grains refuse the same things. Each
/// bound keeps one request's cost (memory, grain calls, stack) predictable; the README's Limits section lists them.
/// </summary>
public static class InputLimits
{
    /// <summary>Ids of contacts, flows, steps, content, segments, events, jobs and messages (API.md: 1–128 characters).</summary>
    public const int MaxIdLength = 128;

    /// <summary>Items in one batch: contacts of <c>POST /v1/contacts/batch</c>, events of <c>POST /v1/events</c>, and the
    /// <c>contactIds</c> of an enrollment, a static segment or a segment's new members.</summary>
    public const int MaxBatch = 10_000;

    /// <summary>Nesting of <c>all</c>, <c>any</c>, <c>not</c> and <c>where</c> in one condition.</summary>
    public const int MaxConditionDepth = 16;

    /// <summary>Nesting of a JSON body; deeper bodies are refused while parsing, before anything recurses over them.</summary>
    public const int MaxJsonDepth = 64;
}
