using System.Collections.Immutable;
using Orleans.Flows.Contacts;
using Orleans.Flows.Content;
using Orleans.Flows.Flows;
using Orleans.Flows.Participants;

namespace Orleans.Flows.Interpretation;

/// <summary>The new state of a participant, the contact as the steps left it, and what must be done.</summary>
/// <param name="Steps">Each step the participant arrived at or left in this run, for the per-step statistics.</param>
public sealed record InterpreterResult(ParticipantState State, Contact Contact, ImmutableArray<FlowAction> Actions, ImmutableArray<StepTransition> Steps)
{
    public bool Changed(ParticipantState before) => !ReferenceEquals(State, before);
}

public enum StepPhase { Entered, Completed }

/// <summary>A participant arrived at a step, or left it for the next.</summary>
public sealed record StepTransition(string StepId, StepPhase Phase);

/// <summary>
/// The semantics of flows. Given a flow version, a participant's state, its contact, an input and the time, it
/// returns the new state and the actions to perform. No Orleans, no I/O, no clock of its own.
/// </summary>
public static class FlowInterpreter
{
    /// <summary>Steps one run may take without waiting; validation forbids loops without a wait, this guards the rest.</summary>
    public const int MaxStepsPerRun = 1000;

    /// <summary>Whether the contact may be enrolled now, and if not, why not.</summary>
    public static EnrollSkipReason CheckEnrollment(FlowContext flow, ParticipantState state, ContactSnapshot? contact, DateTimeOffset now)
    {
        if (flow.Status != FlowStatus.Running) return EnrollSkipReason.FlowNotRunning;
        if (contact is null) return EnrollSkipReason.ContactNotFound;
        if (state.Exists && state.Status.IsInJourney()) return EnrollSkipReason.AlreadyEnrolled;
        if (state.Exists)
        {
            var reentry = flow.Definition.Reentry;
            var allowed = reentry.Mode switch
            {
                ReentryMode.Always => true,
                ReentryMode.After => state.LeftAt is { } left && now >= left + (reentry.After ?? TimeSpan.Zero),
                _ => false,
            };
            if (!allowed) return EnrollSkipReason.ReentryNotAllowed;
        }
        if (flow.Definition.Filter is { } filter && !ConditionEvaluator.Evaluate(filter, new ConditionScope(contact.Contact, contact.Events, now)))
            return EnrollSkipReason.FilteredOut;
        var channels = flow.Definition.Steps.OfType<SendStep>().Select(s => s.Channel).Distinct().ToList();
        if (channels.Count > 0 && !channels.Any(c => HasConsent(contact.Contact, c)))
            return EnrollSkipReason.NoConsent;
        return EnrollSkipReason.None;
    }

    public static InterpreterResult Run(FlowContext flow, ParticipantState state, ContactSnapshot contact, ParticipantInput input, DateTimeOffset now)
    {
        var run = new Journey(flow, state, contact, now);
        switch (input)
        {
            case EnrollInput:
                run.Enroll();
                run.Continue(flow.Definition.StartStepId, now);
                break;
            case WakeInput:
                run.Wake();
                break;
            case RemoveInput:
                run.Leave(ParticipantStatus.Removed, "removed", "removed");
                break;
            case FlowEndedInput:
                run.Leave(ParticipantStatus.Exited, "exited", "flow_ended");
                break;
            case EventInput e:
                run.OnEvent(e.Event);
                break;
        }
        return run.Result();
    }

    public static bool HasConsent(Contact contact, Channel channel) => channel switch
    {
        Channel.Email => contact.Consent.Email,
        Channel.Sms => contact.Consent.Sms,
        _ => contact.Consent.Push,
    };

    public static string? AddressFor(Contact contact, Channel channel) => channel switch
    {
        Channel.Email => contact.Email,
        Channel.Sms => contact.Phone,
        _ => contact.PushToken,
    };

    /// <summary>One run of one participant: a small mutable builder kept private to the interpreter.</summary>
    private sealed class Journey(FlowContext flow, ParticipantState initial, ContactSnapshot snapshot, DateTimeOffset now)
    {
        private readonly ParticipantState _initial = initial;
        private ParticipantState _state = initial;
        private Contact _contact = snapshot.Contact;
        private readonly ImmutableArray<FlowAction>.Builder _actions = ImmutableArray.CreateBuilder<FlowAction>();
        private readonly ImmutableArray<StepTransition>.Builder _steps = ImmutableArray.CreateBuilder<StepTransition>();
        private readonly ImmutableArray<HistoryEntry>.Builder _history = initial.History.ToBuilder();
        private bool _changed;

        private FlowDefinition Definition => flow.Definition;

        public InterpreterResult Result()
        {
            if (!_changed) return new InterpreterResult(_initial, _contact, [], []);
            var history = _history.Count > ParticipantState.MaxHistory
                ? _history.Skip(_history.Count - ParticipantState.MaxHistory).ToImmutableArray()
                : _history.ToImmutable();
            var state = _state with
            {
                History = history,
                Revision = _initial.Revision + 1,
                Email = _contact.Email,
                Company = _contact.Company,
            };
            return new InterpreterResult(state, _contact, _actions.ToImmutable(), _steps.ToImmutable());
        }

        public void Enroll()
        {
            _changed = true;
            _state = _state with
            {
                FlowId = flow.FlowId,
                ContactId = _contact.Id,
                Journey = _state.Journey + 1,
                Version = flow.Version,
                Status = ParticipantStatus.Active,
                Succeeded = false,
                CurrentStepId = Definition.StartStepId,
                EnrolledAt = now,
                WakeAt = null,
                WaitKind = WaitKind.None,
                ExitReason = null,
                LeftAt = null,
                LastSending = null,
                Visits = ImmutableSortedDictionary<string, int>.Empty,
            };
            // A new journey starts a new history: the previous one is what the previous journey did.
            _history.Clear();
            _history.Add(new HistoryEntry { Type = "enrolled", ScheduledAt = now, At = now, Outcome = "enrolled", Next = Definition.StartStepId });
        }

        /// <summary>
        /// A wake-up (the due time, or a resume after a pause): a due wait moves on, a <c>waitForEvent</c> whose
        /// event came while the flow was paused moves on, anything else ignores it.
        /// </summary>
        public void Wake()
        {
            if (_state.Status != ParticipantStatus.Waiting || _state.WakeAt is not { } due) return;
            // A paused flow holds its participants where they are: the wake-up comes again later.
            if (flow.Status == FlowStatus.Paused) return;
            if (flow.Status == FlowStatus.Ended)
            {
                Leave(ParticipantStatus.Exited, "exited", "flow_ended");
                return;
            }
            var step = Definition.FindStep(_state.CurrentStepId);
            // An event may have met the success criteria while the flow was paused.
            if (!CheckSuccess(step, now)) return;
            if (step is WaitForEventStep waitForEvent && EventArrivedWhileWaiting(waitForEvent, due > now ? now : due))
            {
                ReceiveEvent(waitForEvent, due > now ? now : due);
                return;
            }
            if (due > now) return;
            _changed = true;
            if (_state.WaitKind == WaitKind.Held && step is not null)
            {
                // The schedule held it at this step: the step runs now, as due when the participant first reached it.
                _state = _state with { Status = ParticipantStatus.Active, WakeAt = null, WaitKind = WaitKind.None };
                Continue(step.Id, HeldSince(step.Id) ?? due, resumingHeld: true);
                return;
            }
            _state = _state with { Status = ParticipantStatus.Active, WakeAt = null, WaitKind = WaitKind.None };
            if (step is not null) _steps.Add(new StepTransition(step.Id, StepPhase.Completed));
            switch (step)
            {
                case WaitStep wait:
                    Continue(wait.Next, due);
                    break;
                case WaitForEventStep timedOut:
                    _history.Add(new HistoryEntry { StepId = step.Id, Type = step.Type, ScheduledAt = due, At = now, Outcome = "timed_out", Next = timedOut.OnTimeout });
                    Continue(timedOut.OnTimeout, due);
                    break;
                default:
                    Fail(step?.Id, "step_not_found");
                    break;
            }
        }

        /// <summary>
        /// An event of the contact: success criteria are checked at once (a success while waiting stops the
        /// journey), and a <c>waitForEvent</c> for it moves on to <c>next</c>. While the flow is paused the event
        /// is only remembered (it is on the contact); the resume acts on it.
        /// </summary>
        public void OnEvent(ContactEvent e)
        {
            if (!_state.Exists || !_state.Status.IsInJourney() || flow.Status != FlowStatus.Running) return;
            if (e.OccurredAt < _state.EnrolledAt) return;
            var step = Definition.FindStep(_state.CurrentStepId);
            if (!CheckSuccess(step, now)) return;
            if (_state.Status == ParticipantStatus.Waiting && step is WaitForEventStep waitForEvent && Matches(waitForEvent, e))
                ReceiveEvent(waitForEvent, now);
        }

        private void ReceiveEvent(WaitForEventStep step, DateTimeOffset at)
        {
            _changed = true;
            _state = _state with { Status = ParticipantStatus.Active, WakeAt = null, WaitKind = WaitKind.None };
            _steps.Add(new StepTransition(step.Id, StepPhase.Completed));
            _history.Add(new HistoryEntry { StepId = step.Id, Type = step.Type, ScheduledAt = at, At = now, Outcome = "event_received", Reason = "event:" + step.Event, Next = step.Next });
            Continue(step.Next, now);
        }

        private bool Matches(WaitForEventStep step, ContactEvent e) =>
            string.Equals(e.Type, step.Event, StringComparison.Ordinal) &&
            (StepRanAt(step.Id) is not { } since || e.OccurredAt >= since) &&
            (step.Where is null || ConditionEvaluator.EvaluateOnProperties(step.Where, e.Properties));

        public void Leave(ParticipantStatus status, string outcome, string reason)
        {
            if (!_state.Exists || !_state.Status.IsInJourney()) return;
            _changed = true;
            var step = Definition.FindStep(_state.CurrentStepId);
            _history.Add(new HistoryEntry { StepId = step?.Id, Type = step?.Type ?? outcome, ScheduledAt = now, At = now, Outcome = outcome, Reason = reason });
            _state = _state with { Status = status, ExitReason = reason, WakeAt = null, WaitKind = WaitKind.None, LeftAt = now };
        }

        /// <summary>Runs steps from <paramref name="stepId"/> until the participant waits or its journey ends.</summary>
        /// <param name="resumingHeld">The participant was held at <paramref name="stepId"/> and arrived there before.</param>
        public void Continue(string? stepId, DateTimeOffset dueAt, bool resumingHeld = false)
        {
            _changed = true;
            for (var taken = 0; ; taken++)
            {
                if (stepId is null)
                {
                    Finish(ParticipantStatus.Completed, null);
                    return;
                }
                if (taken >= MaxStepsPerRun)
                {
                    Fail(stepId, "too_many_steps_without_wait");
                    return;
                }
                if (Definition.FindStep(stepId) is not { } step)
                {
                    Fail(stepId, "step_not_found");
                    return;
                }

                _state = _state with { CurrentStepId = step.Id, Status = ParticipantStatus.Active };
                if (!(resumingHeld && taken == 0)) _steps.Add(new StepTransition(step.Id, StepPhase.Entered));
                if (Definition.Schedule is { EndAt: { } endAt } && now >= endAt)
                {
                    Exit(step, dueAt, "flow_ended");
                    return;
                }
                if (Definition.Schedule is { StartAt: { } startAt } && now < startAt)
                {
                    Hold(step, dueAt, startAt, "flow_start");
                    return;
                }
                if (IsAction(step) && !MayAct(step, dueAt)) return;
                if (step is SendStep && Definition.Schedule?.SendWindow is { } window)
                {
                    var opensAt = WaitTimes.WindowOpensAt(window, now, WaitTimes.ResolveZone(WaitTimes.ZoneFor(_contact.TimeZone, Definition.Schedule.TimeZone)));
                    if (opensAt > now)
                    {
                        Hold(step, dueAt, opensAt, "send_window");
                        return;
                    }
                }

                var visit = (_state.Visits.TryGetValue(step.Id, out var v) ? v : 0) + 1;
                _state = _state with { Visits = _state.Visits.SetItem(step.Id, visit) };
                var entry = new HistoryEntry { StepId = step.Id, Type = step.Type, ScheduledAt = dueAt, At = now, Outcome = "done" };
                string? next;
                switch (step)
                {
                    case SendStep send:
                        next = send.Next;
                        if (AddressFor(_contact, send.Channel) is not { } to)
                        {
                            entry = entry with { Outcome = "skipped", Reason = "no_address" };
                            break;
                        }
                        var messageId = MessageId(step, visit);
                        _actions.Add(new SendMessage(messageId, step.Id, send.Channel, send.ContentId, to));
                        _state = _state with
                        {
                            LastSending = new LastSending { ContentId = send.ContentId, MessageId = messageId, Channel = send.Channel, At = now, Status = "queued" },
                        };
                        entry = entry with { Outcome = "sent", MessageId = messageId };
                        break;

                    case WaitStep wait:
                        next = wait.Next;
                        var wakeAt = WaitTimes.WakeAt(wait, now, WaitTimes.ZoneFor(_contact.TimeZone, Definition.Schedule?.TimeZone));
                        if (wakeAt > now)
                        {
                            _history.Add(entry with { Outcome = "waiting", Until = wakeAt, Next = next });
                            _state = _state with { Status = ParticipantStatus.Waiting, WakeAt = wakeAt, WaitKind = WaitKind.Delay };
                            return;
                        }
                        entry = entry with { Outcome = "waited", Until = wakeAt };
                        break;

                    case WaitForEventStep waitForEvent:
                        var timeoutAt = now + waitForEvent.Timeout;
                        _history.Add(entry with { Outcome = "waiting", Until = timeoutAt, Reason = "event:" + waitForEvent.Event });
                        _state = _state with { Status = ParticipantStatus.Waiting, WakeAt = timeoutAt, WaitKind = WaitKind.EventTimeout };
                        return;

                    case ConditionStep condition:
                        var holds = ConditionEvaluator.Evaluate(condition.If, Scope());
                        next = holds ? condition.Then : condition.Else;
                        entry = entry with { Outcome = holds ? "then" : "else" };
                        break;

                    case SplitStep split:
                        var draw = MessageIds.Percentile(flow.FlowId, _contact.Id, _state.Journey, step.Id, visit);
                        var branch = ChooseBranch(split, draw);
                        next = split.Branches[branch].Next;
                        entry = entry with { Outcome = $"branch_{branch + 1}" };
                        break;

                    case UpdateContactStep update:
                        next = update.Next;
                        var change = new ContactUpdate
                        {
                            SetAttributes = update.SetAttributes,
                            IncrementAttributes = update.IncrementAttributes,
                            AddTags = update.AddTags,
                            RemoveTags = update.RemoveTags,
                        };
                        _contact = change.ApplyTo(_contact, now);
                        _actions.Add(new UpdateContact(MessageId(step, visit), change));
                        entry = entry with { Outcome = "updated" };
                        break;

                    case CreateActivityStep activity:
                        next = activity.Next;
                        var activityId = MessageId(step, visit);
                        _actions.Add(new CreateActivity(activityId, step.Id, activity.Kind, activity.Title));
                        entry = entry with { Outcome = "created", MessageId = activityId };
                        break;

                    case WebhookStep webhook:
                        next = webhook.Next;
                        var callId = MessageId(step, visit);
                        _actions.Add(new CallWebhook(callId, step.Id, webhook.Url, webhook.Method, webhook.Body));
                        entry = entry with { Outcome = "called", MessageId = callId };
                        break;

                    case MoveToFlowStep move:
                        _steps.Add(new StepTransition(step.Id, StepPhase.Completed));
                        _actions.Add(new EnrollInFlow(move.FlowId));
                        _history.Add(entry with { Outcome = "moved", Reason = "moved_to:" + move.FlowId });
                        Finish(ParticipantStatus.Completed, null);
                        return;

                    case EndStep:
                        _steps.Add(new StepTransition(step.Id, StepPhase.Completed));
                        _history.Add(entry with { Outcome = "ended" });
                        Finish(ParticipantStatus.Completed, null);
                        return;

                    default:
                        Fail(step.Id, "unknown_step_type");
                        return;
                }
                _history.Add(entry with { Next = next });
                _steps.Add(new StepTransition(step.Id, StepPhase.Completed));
                stepId = next;
                dueAt = now;
            }
        }

        /// <summary>Keeps the participant at <paramref name="step"/> until <paramref name="until"/>, when the step runs.</summary>
        private void Hold(Step step, DateTimeOffset dueAt, DateTimeOffset until, string reason)
        {
            _history.Add(new HistoryEntry { StepId = step.Id, Type = step.Type, ScheduledAt = dueAt, At = now, Outcome = "held", Reason = reason, Until = until });
            _state = _state with { Status = ParticipantStatus.Waiting, WakeAt = until, WaitKind = WaitKind.Held };
        }

        /// <summary>When the participant reached the step it is held at: the time the step was due.</summary>
        private DateTimeOffset? HeldSince(string stepId)
        {
            DateTimeOffset? since = null;
            for (var i = _history.Count - 1; i >= 0 && _history[i].StepId == stepId && _history[i].Outcome == "held"; i--) since = _history[i].ScheduledAt;
            return since;
        }

        private static bool IsAction(Step step) =>
            step is SendStep or UpdateContactStep or CreateActivityStep or WebhookStep or MoveToFlowStep;

        /// <summary>
        /// The checks before every action: the flow still runs, the contact still passes the filter, the success
        /// criteria, and consent for the channel. Returns false when the participant left instead of acting.
        /// </summary>
        private bool MayAct(Step step, DateTimeOffset dueAt)
        {
            if (flow.Status == FlowStatus.Ended)
            {
                Exit(step, dueAt, "flow_ended");
                return false;
            }
            if (Definition.Filter is { } filter && !ConditionEvaluator.Evaluate(filter, Scope()))
            {
                Exit(step, dueAt, "filtered_out");
                return false;
            }
            if (!CheckSuccess(step, dueAt)) return false;
            if (step is SendStep send && !HasConsent(_contact, send.Channel))
            {
                Exit(step, dueAt, "no_consent");
                return false;
            }
            return true;
        }

        private bool EventArrivedWhileWaiting(WaitForEventStep step, DateTimeOffset due)
        {
            var since = StepRanAt(step.Id);
            if (since is null) return false;
            var condition = new EventCondition { Event = step.Event, Where = step.Where };
            return ConditionEvaluator.Evaluate(condition, new ConditionScope(_contact, snapshot.Events, due, since));
        }

        /// <summary>
        /// Marks the participant successful when the success criteria hold (counting only events since it was
        /// enrolled). Returns false when that stopped the journey.
        /// </summary>
        private bool CheckSuccess(Step? step, DateTimeOffset dueAt)
        {
            if (Definition.Success is not { } success || _state.Succeeded ||
                !ConditionEvaluator.Evaluate(success.When, Scope() with { EventsSince = _state.EnrolledAt }))
                return true;
            _changed = true;
            if (success.MoveTo is { } moveTo) _actions.Add(new EnrollInFlow(moveTo));
            _state = _state with { Succeeded = true };
            if (success.Then == SuccessAction.Stop)
            {
                _history.Add(new HistoryEntry { StepId = step?.Id, Type = step?.Type ?? "success", ScheduledAt = dueAt, At = now, Outcome = "succeeded", Reason = "success", Next = success.MoveTo });
                Finish(ParticipantStatus.Succeeded, "success");
                return false;
            }
            _history.Add(new HistoryEntry { StepId = step?.Id, Type = "success", ScheduledAt = dueAt, At = now, Outcome = "succeeded", Reason = "success", Next = success.MoveTo });
            return true;
        }

        private ConditionScope Scope() => new(_contact, snapshot.Events, now, null, StepRanAt);

        private DateTimeOffset? StepRanAt(string stepId)
        {
            for (var i = _history.Count - 1; i >= 0; i--)
                // Only an entry of the step's own run counts; leaving or succeeding there is not running it.
                if (_history[i].StepId == stepId && _history[i].Outcome is not ("exited" or "succeeded" or "held")) return _history[i].At;
            return null;
        }

        private void Exit(Step step, DateTimeOffset dueAt, string reason)
        {
            _history.Add(new HistoryEntry { StepId = step.Id, Type = step.Type, ScheduledAt = dueAt, At = now, Outcome = "exited", Reason = reason });
            Finish(ParticipantStatus.Exited, reason);
        }

        private void Fail(string? stepId, string reason)
        {
            _history.Add(new HistoryEntry { StepId = stepId, Type = Definition.FindStep(stepId)?.Type ?? "error", ScheduledAt = now, At = now, Outcome = "failed", Reason = reason });
            Finish(ParticipantStatus.Failed, reason);
        }

        private void Finish(ParticipantStatus status, string? reason)
        {
            _changed = true;
            _state = _state with { Status = status, ExitReason = reason, WakeAt = null, WaitKind = WaitKind.None, LeftAt = now };
        }

        private string MessageId(Step step, int visit) => MessageIds.For(flow.FlowId, _contact.Id, _state.Journey, step.Id, visit);

        private static int ChooseBranch(SplitStep split, int draw)
        {
            var cumulative = 0;
            for (var i = 0; i < split.Branches.Length; i++)
            {
                cumulative += split.Branches[i].Percent;
                if (draw < cumulative) return i;
            }
            return split.Branches.Length - 1;
        }
    }
}
