using Orleans.Concurrency;
using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Participants;

/// <summary>
/// One contact in one flow (key <c>{flowId}/{contactId}</c>, see <see cref="ParticipantKey"/>). Owns its step,
/// status and history; every transition of the journey happens here.
/// </summary>
public interface IParticipantGrain : IGrainWithStringKey
{
    /// <summary>
    /// Enrolls the contact in <paramref name="flow"/> as the caller just read it (its newest version and its
    /// status), or says why not. Safe to retry.
    /// </summary>
    /// <param name="firstTimeOnly">Enroll only a contact that has never been in the flow (a segment flow taking its members at start or resume: re-entry is for contacts who come again, not for a resume).</param>
    /// <param name="enrollmentId">
    /// The enrollment job asking, if any: a participant whose current journey that job started answers
    /// <see cref="EnrollResult.Enrolled"/> again, so that a job that repeats a page after a crash counts it once
    /// and enrolls nobody twice, whatever the flow's re-entry rule.
    /// </param>
    Task<EnrollResult> EnrollAsync(FlowSnapshot flow, bool firstTimeOnly = false, string? enrollmentId = null);

    Task<ParticipantDetail?> GetAsync();

    Task<ParticipantSummary?> GetSummaryAsync();

    /// <summary>Takes the participant out of the flow (status <c>removed</c>). False when it is not in the flow.</summary>
    Task<bool> RemoveAsync();

    /// <summary>Forgets the participant because its contact was erased. One-way: the contact does not wait for it.</summary>
    [OneWay]
    Task EraseAsync();

    /// <summary>
    /// Enrolls the contact because something other than a client asked: another flow (<c>flow:{id}</c>), an
    /// event trigger (<c>event:{type}</c>) or a segment (<c>segment:{id}</c>). One-way, so that the contact or
    /// flow that asks never waits on a participant that may be calling it.
    /// </summary>
    [OneWay]
    Task EnrollByAsync(string source);

    /// <summary>An event of the contact (success criteria, <c>waitForEvent</c>). One-way, for the same reason.</summary>
    [OneWay]
    Task OnEventAsync(ContactEvent e);

    /// <summary>The flow was resumed: a participant held by the pause moves on if it is due.</summary>
    [OneWay]
    Task ResumeAsync();

    /// <summary>The flow ended: a participant still in the journey exits with reason <c>flow_ended</c>.</summary>
    [OneWay]
    Task EndAsync();
}

public static class ParticipantKey
{
    // '/' cannot occur in an id (ids are [A-Za-z0-9._:@-]), so the key splits back unambiguously.
    public static string Format(string flowId, string contactId) => $"{flowId}/{contactId}";

    public static (string FlowId, string ContactId) Parse(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (key[..slash], key[(slash + 1)..]);
    }
}
