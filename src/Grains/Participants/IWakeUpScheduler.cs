namespace Orleans.Flows.Participants;

/// <summary>
/// Wakes a participant grain at a moment. The engine's own seam around the delay mechanism, so that Orleans
/// reminders per participant can later give way to scheduler shards without touching the interpreter.
/// The woken grain receives <see cref="IWakeUpTarget.WakeAsync"/>.
/// </summary>
public interface IWakeUpScheduler
{
    Task ScheduleAsync(GrainId participant, DateTimeOffset wakeAt);

    Task CancelAsync(GrainId participant);
}

/// <summary>A grain a wake-up can reach.</summary>
public interface IWakeUpTarget : IGrain
{
    Task WakeAsync();
}
