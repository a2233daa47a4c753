using Orleans.Timers;

namespace Orleans.Flows.Participants;

/// <summary>One Orleans reminder per waiting participant, registered on entering the wait and removed when it fires.</summary>
public sealed class ReminderWakeUpScheduler(IReminderRegistry reminders, TimeProvider time) : IWakeUpScheduler
{
    public const string ReminderName = "wake";

    /// <summary>
    /// A reminder due at or just after now can fire a whole period late, so a due time never comes closer than
    /// this; the period is the retry if a wake-up is lost with its silo.
    /// </summary>
    public static readonly TimeSpan MinimumDue = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    public Task ScheduleAsync(GrainId participant, DateTimeOffset wakeAt)
    {
        var due = wakeAt - time.GetUtcNow();
        if (due < MinimumDue) due = MinimumDue;
        return reminders.RegisterOrUpdateReminder(participant, ReminderName, due, Period);
    }

    public async Task CancelAsync(GrainId participant)
    {
        var reminder = await reminders.GetReminder(participant, ReminderName);
        if (reminder is not null) await reminders.UnregisterReminder(participant, reminder);
    }
}
