namespace Orleans.Flows.Content;

/// <summary>One piece of content, keyed by its id.</summary>
public interface IContentGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the content after checking it (templates included).</summary>
    Task<ContentPutResult> PutAsync(ContentItem item);

    Task<ContentItem?> GetAsync();

    /// <summary>Deletes the content unless a running or paused flow uses it.</summary>
    Task<ContentDeleteResult> DeleteAsync();
}
