using Microsoft.Extensions.Logging;
using Orleans.Flows.Contacts;
using Orleans.Flows.Delivery;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Statistics;
using Orleans.Flows.Telemetry;

namespace Orleans.Flows.Participants;

/// <summary>
/// One contact in one flow. A thin shell around <see cref="FlowInterpreter"/>: it loads what the interpreter
/// needs, performs the actions it returns, then writes the new state once. Actions come first and are
/// idempotent (message ids, operation ids), so a replay after a crash repeats nothing.
/// </summary>
public sealed partial class ParticipantGrain(
    [PersistentState("participant", StorageNames.Participants)] IPersistentState<ParticipantState> state,
    FlowDefinitionCache flows,
    IWakeUpScheduler wakeUps,
    IOutbox outbox,
    OutgoingMessages outgoing,
    FlowReadModelBuffer readModels,
    FlowsMetrics metrics,
    TimeProvider time,
    ILogger<ParticipantGrain> logger) : Grain, IParticipantGrain, IRemindable, IWakeUpTarget
{
    private string FlowId => ParticipantKey.Parse(this.GetPrimaryKeyString()).FlowId;

    private string ContactId => ParticipantKey.Parse(this.GetPrimaryKeyString()).ContactId;

    private IContactGrain Contact => GrainFactory.GetGrain<IContactGrain>(ContactId);

    public async Task<EnrollResult> EnrollAsync(FlowSnapshot flow, bool firstTimeOnly = false, string? enrollmentId = null)
    {
        if (enrollmentId is not null && state.State.Exists && state.State.EnrolledBy == enrollmentId)
            return EnrollResult.Enrolled;
        if (firstTimeOnly && state.State.Exists)
            return new EnrollResult(state.State.Status.IsInJourney() ? EnrollSkipReason.AlreadyEnrolled : EnrollSkipReason.ReentryNotAllowed);
        var contact = await Contact.GetSnapshotAsync();
        var context = new FlowContext(FlowId, flow.Version, flow.Definition, flow.Status);
        var now = time.GetUtcNow();
        var skip = FlowInterpreter.CheckEnrollment(context, state.State, contact, now);
        if (skip != EnrollSkipReason.None)
        {
            LogDebugSkipped(logger, FlowId, ContactId, skip);
            return new EnrollResult(skip);
        }
        await Contact.AddFlowAsync(FlowId);
        await RunAsync(context, contact!, ParticipantInput.Enroll, now, enrollmentId);
        metrics.Enrolled();
        LogDebugEnrolled(logger, FlowId, ContactId, flow.Version);
        return EnrollResult.Enrolled;
    }

    public async Task EnrollByAsync(string source)
    {
        var flow = await flows.GetCurrentAsync(FlowId);
        var result = flow is null ? new EnrollResult(EnrollSkipReason.FlowNotRunning) : await EnrollAsync(flow);
        LogInformationEnrolledBy(logger, ContactId, FlowId, source, result.IsEnrolled ? "enrolled" : result.Skipped.ToApi());
    }

    public async Task OnEventAsync(ContactEvent e)
    {
        if (!state.State.Exists || !state.State.Status.IsInJourney()) return;
        if (await LoadAsync() is not var (context, contact)) return;
        await RunAsync(context, contact, new EventInput(e), time.GetUtcNow());
    }

    public async Task ResumeAsync()
    {
        if (!state.State.Exists || state.State.Status != ParticipantStatus.Waiting) return;
        if (await LoadAsync() is not var (context, contact)) return;
        await RunAsync(context, contact, ParticipantInput.Wake, time.GetUtcNow());
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == ReminderWakeUpScheduler.ReminderName ? WakeAsync() : Task.CompletedTask;

    public async Task WakeAsync()
    {
        var current = state.State;
        if (!current.Exists || current.Status != ParticipantStatus.Waiting || current.WakeAt is not { } wakeAt)
        {
            await wakeUps.CancelAsync(this.GetGrainId());
            return;
        }
        var now = time.GetUtcNow();
        if (wakeAt > now)
        {
            // Early: arm again for the exact moment instead of waiting a whole period.
            await wakeUps.ScheduleAsync(this.GetGrainId(), wakeAt);
            return;
        }
        if (await LoadAsync() is not var (context, contact)) return;
        // A paused flow keeps its participants waiting: only a wake-up that moved one on counts as fired.
        if (!await RunAsync(context, contact, ParticipantInput.Wake, now)) return;
        metrics.WokeUp(now - wakeAt);
        LogDebugWoke(logger, FlowId, ContactId, (now - wakeAt).TotalMilliseconds);
    }

    public async Task<bool> RemoveAsync()
    {
        if (!state.State.Exists || !state.State.Status.IsInJourney()) return false;
        if (await LoadAsync() is not var (context, contact)) return false;
        await RunAsync(context, contact, ParticipantInput.Remove, time.GetUtcNow());
        LogInformationRemoved(logger, FlowId, ContactId);
        return true;
    }

    public async Task EndAsync()
    {
        if (!state.State.Exists || !state.State.Status.IsInJourney()) return;
        if (await LoadAsync() is not var (context, contact)) return;
        await RunAsync(context, contact, ParticipantInput.FlowEnded, time.GetUtcNow());
    }

    public async Task EraseAsync()
    {
        var before = state.State;
        if (!before.Exists) return;
        if (before.WakeAt is not null) await wakeUps.CancelAsync(this.GetGrainId());
        await state.ClearStateAsync();
        state.State = new ParticipantState();
        readModels.RecordErased(before);
        DeactivateOnIdle();
    }

    public async Task<ParticipantDetail?> GetAsync()
    {
        if (!state.State.Exists) return null;
        var detail = state.State.ToDetail();
        return detail with { Summary = detail.Summary with { LastSending = await LastSendingNowAsync() } };
    }

    // Callers want status and step (a contact's flows, a removal's answer): no read of the message log here; the
    // participant list and the detail show lastSending with its status from the log.
    public Task<ParticipantSummary?> GetSummaryAsync() => Task.FromResult(state.State.Exists ? state.State.ToSummary() : null);

    /// <summary>The last sending with what the message log says of it now (sent, delivered, bounced, …).</summary>
    private async Task<LastSending?> LastSendingNowAsync() =>
        state.State.LastSending is { } last ? LastSendings.Overlay(last, await outbox.GetAsync(last.MessageId)) : null;

    /// <summary>The participant's flow version and its contact; null (after tidying up) when either is gone.</summary>
    private async Task<(FlowContext, ContactSnapshot)?> LoadAsync()
    {
        var context = await flows.GetContextAsync(FlowId, state.State.Version);
        var contact = await Contact.GetSnapshotAsync();
        if (context is not null && contact is not null) return (context, contact);
        if (contact is null)
        {
            // The contact was erased; its erasure reaches this grain too, but a due wake-up may come first.
            await EraseAsync();
            return null;
        }
        LogWarningFlowMissing(logger, FlowId, ContactId, state.State.Version);
        await wakeUps.CancelAsync(this.GetGrainId());
        return null;
    }

    /// <summary>Runs the interpreter and performs what it returns; false when the input changed nothing.</summary>
    private async Task<bool> RunAsync(FlowContext context, ContactSnapshot contact, ParticipantInput input, DateTimeOffset now, string? enrolledBy = null)
    {
        var before = state.State;
        var result = FlowInterpreter.Run(context, before, contact, input, now);
        if (!result.Changed(before)) return false;

        var after = result.State;
        if (input is EnrollInput) after = after with { EnrolledBy = enrolledBy };
        List<string>? moves = null;
        foreach (var action in result.Actions)
        {
            var message = OutboxMessages.For(action, FlowId, ContactId, now);
            if (message is not null)
            {
                // Rendered from the contact as the steps before left it.
                var (rendered, failure) = await outgoing.RenderAsync(message, result.Contact);
                if (failure is not null) LogWarningNotRendered(logger, FlowId, ContactId, message.StepId, message.Id, SensitiveText.Mask(failure.Error));
                var receipt = await outbox.EnqueueAsync(rendered, failure);
                if (!receipt.Duplicate) metrics.Message(message.Channel, receipt.Status);
                if (failure is { Status: MessageStatus.Failed } && !receipt.Duplicate) readModels.RecordSends(FlowId, new SendStats { Failed = 1 });
                if (after.LastSending is { } last && last.MessageId == message.Id)
                    after = after with { LastSending = last with { Status = receipt.Status, At = receipt.At } };
            }
            else if (action is UpdateContact update)
            {
                await Contact.ApplyFlowUpdateAsync(update.OperationId, update.Update);
            }
            else if (action is EnrollInFlow move)
            {
                (moves ??= []).Add(move.FlowId);
            }
        }

        state.State = after;
        await state.WriteStateAsync();

        if (after.WakeAt is { } wakeAt)
        {
            if (wakeAt != before.WakeAt) await wakeUps.ScheduleAsync(this.GetGrainId(), wakeAt);
        }
        else if (before.WakeAt is not null)
        {
            await wakeUps.CancelAsync(this.GetGrainId());
        }

        readModels.Record(before, after, result.Steps);
        metrics.StepsExecuted(context.Definition, result.Steps);
        foreach (var flowId in moves ?? [])
            await GrainFactory.GetGrain<IParticipantGrain>(ParticipantKey.Format(flowId, ContactId)).EnrollByAsync("flow:" + FlowId);

        LogDebugTransition(logger, FlowId, ContactId, before.Status, after.Status, after.CurrentStepId);
        // A participant that waits or is done holds no memory: its row and its wake-up are all it needs.
        if (after.Status != ParticipantStatus.Active) DeactivateOnIdle();
        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Participant {FlowId}/{ContactId} enrolled on version {Version}")]
    private static partial void LogDebugEnrolled(ILogger logger, string flowId, string contactId, int version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Participant {FlowId}/{ContactId} not enrolled: {Reason}")]
    private static partial void LogDebugSkipped(ILogger logger, string flowId, string contactId, EnrollSkipReason reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Participant {FlowId}/{ContactId} woke {LatenessMs} ms after its due time")]
    private static partial void LogDebugWoke(ILogger logger, string flowId, string contactId, double latenessMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Participant {FlowId}/{ContactId}: {Before} -> {After} at step {StepId}")]
    private static partial void LogDebugTransition(ILogger logger, string flowId, string contactId, ParticipantStatus before, ParticipantStatus after, string? stepId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Participant {FlowId}/{ContactId} removed by a user")]
    private static partial void LogInformationRemoved(ILogger logger, string flowId, string contactId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Contact {ContactId} put into flow {FlowId} by {Source}: {Outcome}")]
    private static partial void LogInformationEnrolledBy(ILogger logger, string contactId, string flowId, string source, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Participant {FlowId}/{ContactId}: message {MessageId} of step {StepId} cannot be rendered ({Error}); it is recorded, not sent")]
    private static partial void LogWarningNotRendered(ILogger logger, string flowId, string contactId, string stepId, string messageId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Participant {FlowId}/{ContactId} is on version {Version} of a flow that no longer exists; its wake-up is cancelled")]
    private static partial void LogWarningFlowMissing(ILogger logger, string flowId, string contactId, int version);
}
