using System.Collections.Immutable;

namespace Orleans.Flows.Content;

/// <summary>The list of all content (a single grain, key <see cref="Key"/>): names and channels, not bodies.</summary>
public interface IContentCatalogGrain : IGrainWithStringKey
{
    const string Key = "all";

    Task SetAsync(ContentSummary summary);

    Task RemoveAsync(string contentId);

    Task<ImmutableArray<ContentSummary>> ListAsync();

    /// <summary>The channel of each id that exists; ids that do not exist are absent.</summary>
    Task<ImmutableDictionary<string, Channel>> FindAsync(ImmutableArray<string> contentIds);
}
