using Microsoft.Extensions.Logging;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Content;

[GenerateSerializer, Alias("flows.ContentState")]
public sealed record ContentState
{
    [Id(0)] public ContentItem? Item { get; init; }
}

public sealed partial class ContentGrain(
    [PersistentState("content", StorageNames.Flows)] IPersistentState<ContentState> state,
    TimeProvider time,
    ILogger<ContentGrain> logger) : Grain, IContentGrain
{
    public async Task<ContentPutResult> PutAsync(ContentItem item)
    {
        var errors = ContentValidator.Validate(item);
        if (!errors.IsEmpty) return new ContentPutResult { Errors = errors };
        var now = time.GetUtcNow();
        var saved = item with { Id = this.GetPrimaryKeyString(), CreatedAt = state.State.Item?.CreatedAt ?? now, UpdatedAt = now };
        state.State = new ContentState { Item = saved };
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IContentCatalogGrain>(IContentCatalogGrain.Key)
            .SetAsync(new ContentSummary(saved.Id, saved.Channel, saved.Name, saved.UpdatedAt));
        LogInformationSaved(logger, saved.Id, saved.Channel);
        return new ContentPutResult { Item = saved };
    }

    public Task<ContentItem?> GetAsync() => Task.FromResult(state.State.Item);

    public async Task<ContentDeleteResult> DeleteAsync()
    {
        if (state.State.Item is null) return new ContentDeleteResult(ContentDeleteOutcome.NotFound);
        var id = this.GetPrimaryKeyString();
        var usedBy = await GrainFactory.GetGrain<IFlowCatalogGrain>(IFlowCatalogGrain.Key).FindFlowUsingContentAsync(id);
        if (usedBy is not null) return new ContentDeleteResult(ContentDeleteOutcome.InUse, usedBy);
        await state.ClearStateAsync();
        state.State = new ContentState();
        await GrainFactory.GetGrain<IContentCatalogGrain>(IContentCatalogGrain.Key).RemoveAsync(id);
        LogInformationDeleted(logger, id);
        return new ContentDeleteResult(ContentDeleteOutcome.Deleted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Content {ContentId} ({Channel}) saved")]
    private static partial void LogInformationSaved(ILogger logger, string contentId, Channel channel);

    [LoggerMessage(Level = LogLevel.Information, Message = "Content {ContentId} deleted")]
    private static partial void LogInformationDeleted(ILogger logger, string contentId);
}
