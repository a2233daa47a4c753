using Orleans.Flows.Contacts;

namespace Orleans.Flows.Participants;

/// <summary>A page of an enrollment as stored: its contacts, and which of them already have a participant in the flow.</summary>
public sealed record BulkPage(IReadOnlyDictionary<string, ContactSnapshot> Contacts, IReadOnlySet<string> ExistingParticipants);

/// <summary>A participant written by <see cref="BulkEnrollment"/>, with its first messages and its wake-up if it waits.</summary>
/// <param name="Messages">Rendered messages, or messages that could not be rendered with why (recorded, not sent).</param>
public sealed record BulkParticipant(GrainId Grain, ParticipantState State, IReadOnlyList<(Delivery.OutboxMessage Message, Delivery.MessageFailure? Failure)> Messages);

/// <summary>A participant <see cref="IParticipantBulkStore.InsertAsync"/> wrote, and how many of its messages were new.</summary>
public readonly record struct BulkInserted(string ContactId, int NewMessages);

/// <summary>Participant rows read and written a page at a time, without their grains (durable mode).</summary>
public interface IParticipantBulkStore
{
    Task<BulkPage> LoadAsync(string flowId, IReadOnlyList<string> contactIds);

    /// <summary>
    /// In one transaction: inserts each participant whose row does not exist yet, with its messages (each recorded
    /// once by its id) and its wake-up, and adds the flow to its contact's flows (which routes the contact's events
    /// to it). Returns the participants inserted; a row that existed (a concurrent enrollment) is left as it was.
    /// </summary>
    Task<IReadOnlyList<BulkInserted>> InsertAsync(string flowId, IReadOnlyList<BulkParticipant> participants);
}
