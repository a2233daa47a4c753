namespace Orleans.Flows.Delivery;

/// <summary>
/// The durable outbox and the message log in one: steps record their messages here before the participant moves
/// on, dispatchers claim and send them, and the API reads what became of each. Recording a message is idempotent
/// by its id: a replayed step gets the first receipt back, marked as a duplicate, and nothing is sent twice.
/// </summary>
public interface IOutbox
{
    /// <summary>
    /// Records the message as <c>queued</c> unless its id is known; with <paramref name="failure"/>, as that status
    /// (a message that could not be rendered) and never dispatched.
    /// </summary>
    Task<DeliveryReceipt> EnqueueAsync(OutboxMessage message, MessageFailure? failure = null);

    /// <summary>Erases every message of an erased contact.</summary>
    Task ForgetContactAsync(string contactId);

    /// <summary>
    /// Claims up to <paramref name="max"/> queued messages of <paramref name="channel"/> whose next attempt is due,
    /// for <paramref name="lease"/>: no other dispatcher gets them meanwhile. Each claim counts as an attempt.
    /// An email whose earlier claim ran out without a result is not handed out again: it is marked failed with
    /// <c>unknown_outcome</c>, since the server may have taken it (see README, Delivery).
    /// </summary>
    Task<IReadOnlyList<ClaimedMessage>> ClaimAsync(MessageChannel channel, int max, TimeSpan lease);

    /// <summary>Records the outcome of a claimed message; a result for a message no longer claimed is ignored.</summary>
    Task CompleteAsync(DispatchResult result);

    /// <summary>A delivery report (delivered, bounced, …) for a sent message; null when the id is unknown.</summary>
    Task<MessageRecord?> ReportAsync(string messageId, string status, string? error);

    Task<MessageRecord?> GetAsync(string messageId);

    Task<MessagePage> QueryAsync(MessageQuery query);

    /// <summary>The records of those of <paramref name="messageIds"/> that exist.</summary>
    Task<IReadOnlyDictionary<string, MessageRecord>> GetManyAsync(IReadOnlyCollection<string> messageIds);

    /// <summary>Messages waiting to be sent, over every channel.</summary>
    Task<long> DepthAsync();

    /// <summary>Raised in this process when a message was queued, so that an idle dispatcher looks at once.</summary>
    event Action<MessageChannel>? Queued;
}

/// <summary>A participant's last sending as the message log tells it now: the status and time of its latest outcome.</summary>
public static class LastSendings
{
    public static Participants.LastSending? Overlay(Participants.LastSending? last, MessageRecord? record) =>
        last is null || record is null ? last : last with { Status = record.Status, At = record.SentAt ?? record.UpdatedAt };

    public static Participants.ParticipantSummary Overlay(Participants.ParticipantSummary row, IReadOnlyDictionary<string, MessageRecord> records) =>
        row.LastSending is { } last && records.TryGetValue(last.MessageId, out var record) ? row with { LastSending = Overlay(last, record) } : row;
}

/// <summary>Why a step's message is recorded without being sent: <c>skipped</c> or <c>failed</c>, and the reason.</summary>
public sealed record MessageFailure(string Status, string Error);

/// <param name="Attempts">Attempts including this one.</param>
public sealed record ClaimedMessage(OutboxMessage Message, int Attempts);

/// <summary>
/// What a dispatcher made of a claimed message: <c>sent</c>, <c>failed</c> (with the reason), or <c>queued</c>
/// again with the time of the next attempt.
/// </summary>
public sealed record DispatchResult(string MessageId, string Status, string? Error, DateTimeOffset At, DateTimeOffset? NextAttemptAt = null);
