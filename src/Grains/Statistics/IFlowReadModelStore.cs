using Orleans.Flows.Participants;

namespace Orleans.Flows.Statistics;

/// <summary>
/// Where the statistics and participant lists live when they are not kept in grain state: in durable mode,
/// indexed PostgreSQL tables. <see cref="FlowStatsGrain"/> and <see cref="FlowParticipantsGrain"/> use it when
/// one is registered.
/// </summary>
public interface IFlowReadModelStore
{
    Task AddStatsAsync(string flowId, FlowStats delta);

    Task<FlowStats> GetStatsAsync(string flowId);

    /// <summary>Upserts rows, keeping for each participant the highest revision; erased rows are deleted.</summary>
    Task ApplyParticipantsAsync(string flowId, IReadOnlyCollection<ParticipantSummary> rows);

    Task<ParticipantPage> QueryParticipantsAsync(string flowId, ParticipantQuery query);
}
