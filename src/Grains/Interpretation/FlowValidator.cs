using System.Collections.Immutable;
using Orleans.Flows.Content;
using Orleans.Flows.Flows;
using Orleans.Flows.Values;

namespace Orleans.Flows.Interpretation;

/// <summary>What a definition may refer to outside itself.</summary>
/// <param name="ContentChannels">The channel of each content id that exists.</param>
/// <param name="ExistingFlows">Flow ids that exist (targets of <c>moveToFlow</c> and <c>success.moveTo</c>).</param>
/// <param name="AllowedWebhookHosts">Hosts a webhook step may call; null allows any.</param>
public sealed record FlowReferences(
    IReadOnlyDictionary<string, Channel> ContentChannels,
    IReadOnlySet<string> ExistingFlows,
    IReadOnlySet<string>? AllowedWebhookHosts);

/// <summary>
/// The rules a definition must follow before it is saved. Pure; every error is named by its JSON path
/// (<c>$.steps[2].next</c>).
/// </summary>
public static class FlowValidator
{
    public const int MaxSteps = 500;
    public const int MaxNameLength = 200;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(3650);
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    /// <summary>Every content id and flow id the definition names, so a caller can look them up first.</summary>
    public static (ImmutableArray<string> ContentIds, ImmutableArray<string> FlowIds) References(FlowDefinition definition)
    {
        var steps = definition.Steps.IsDefault ? [] : definition.Steps;
        var content = steps.OfType<SendStep>().Select(s => s.ContentId).Where(Ids.IsValid).Distinct().ToImmutableArray();
        var flows = steps.OfType<MoveToFlowStep>().Select(s => s.FlowId)
            .Append(definition.Success?.MoveTo)
            .OfType<string>().Where(Ids.IsValid).Distinct().ToImmutableArray();
        return (content, flows);
    }

    public static ImmutableSortedDictionary<string, string[]> Validate(FlowDefinition definition, FlowReferences references)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(definition.Name)) errors.Add("$.name", "is required");
        else if (definition.Name.Length > MaxNameLength) errors.Add("$.name", $"must be at most {MaxNameLength} characters");

        ValidateTrigger(definition.Trigger, errors);
        if (definition.Filter is { } filter) ValidateCondition(filter, "$.filter", ConditionPlace.Contact, definition, errors, 0);
        if (definition.Reentry.Mode == ReentryMode.After && definition.Reentry.After is not { } after || definition.Reentry.After is { } a && (a <= TimeSpan.Zero || a > MaxDuration))
            errors.Add("$.reentry.after", "must be a positive duration of at most 10 years");
        if (definition.Success is { } success)
        {
            ValidateCondition(success.When, "$.success.when", ConditionPlace.Contact, definition, errors, 0);
            if (success.MoveTo is { } moveTo) ValidateFlowReference(moveTo, "$.success.moveTo", references, errors);
        }
        if (definition.Schedule is { } schedule) ValidateSchedule(schedule, errors);
        ValidateSteps(definition, references, errors);
        return errors.ToImmutable();
    }

    /// <summary>
    /// A segment filter: attribute conditions combined with all, any and not, nested at most
    /// <see cref="FlowJson.MaxConditionDepth"/> levels. Event and property conditions have no meaning for a segment
    /// (its members are found in the contacts' stored fields), so they are refused. Errors are named under <paramref name="path"/>.
    /// </summary>
    public static ImmutableSortedDictionary<string, string[]> ValidateSegmentFilter(Condition filter, string path = "$.filter")
    {
        var errors = new ValidationErrors();
        ValidateCondition(filter, path, ConditionPlace.Segment, null, errors, 0);
        return errors.ToImmutable();
    }

    private static void ValidateTrigger(Trigger trigger, ValidationErrors errors)
    {
        switch (trigger)
        {
            case EventTrigger e:
                if (string.IsNullOrWhiteSpace(e.Event) || e.Event.Length > Ids.MaxLength) errors.Add("$.trigger.event", "must name an event type of 1-128 characters");
                if (e.Where is { } where) ValidateCondition(where, "$.trigger.where", ConditionPlace.Properties, null, errors, 0);
                break;
            case SegmentTrigger s:
                if (s.SegmentIds.IsDefaultOrEmpty) errors.Add("$.trigger.segmentIds", "must name at least one segment");
                else
                    for (var i = 0; i < s.SegmentIds.Length; i++)
                        if (!Ids.IsValid(s.SegmentIds[i])) errors.Add($"$.trigger.segmentIds[{i}]", Ids.Rule);
                break;
        }
    }

    private static void ValidateSchedule(Schedule schedule, ValidationErrors errors)
    {
        if (schedule.TimeZone is { } zone && !WaitTimes.IsKnownZone(zone))
            errors.Add("$.schedule.timeZone", $"'{zone}' is not a known IANA time zone");
        if (schedule.StartAt is { } start && schedule.EndAt is { } end && end <= start)
            errors.Add("$.schedule.endAt", "must be after startAt");
        if (schedule.SendWindow is { } window)
        {
            if (window.To <= window.From) errors.Add("$.schedule.sendWindow.to", "must be after from");
            if (!window.Days.IsDefault && window.Days.Distinct().Count() != window.Days.Length)
                errors.Add("$.schedule.sendWindow.days", "must not repeat a day");
        }
    }

    private static void ValidateSteps(FlowDefinition definition, FlowReferences references, ValidationErrors errors)
    {
        var steps = definition.Steps.IsDefault ? [] : definition.Steps;
        if (steps.Length == 0)
        {
            errors.Add("$.steps", "must have at least one step");
            return;
        }
        if (steps.Length > MaxSteps) errors.Add("$.steps", $"must have at most {MaxSteps} steps");

        // JSON lets a client write null where a step, branch or condition belongs; that is an error, not a crash.
        var nulls = false;
        for (var i = 0; i < steps.Length; i++)
        {
            if (steps[i] is null)
            {
                errors.Add($"$.steps[{i}]", "must be a step, not null");
                nulls = true;
            }
            else if (steps[i] is SplitStep { Branches.IsDefault: false } split)
            {
                for (var b = 0; b < split.Branches.Length; b++)
                    if (split.Branches[b] is null)
                    {
                        errors.Add($"$.steps[{i}].branches[{b}]", "must be a branch, not null");
                        nulls = true;
                    }
            }
        }
        if (nulls) return;

        var indexById = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < steps.Length; i++)
        {
            var id = steps[i].Id;
            if (!Ids.IsValid(id)) errors.Add($"$.steps[{i}].id", Ids.Rule);
            else if (!indexById.TryAdd(id, i)) errors.Add($"$.steps[{i}].id", $"repeats the id '{id}' of steps[{indexById[id]}]");
        }

        if (!indexById.ContainsKey(definition.StartStepId ?? ""))
            errors.Add("$.startStepId", $"names no step: '{definition.StartStepId}'");

        for (var i = 0; i < steps.Length; i++)
        {
            var path = $"$.steps[{i}]";
            foreach (var (property, target) in steps[i].Targets)
                if (target is not null && !indexById.ContainsKey(target))
                    errors.Add($"{path}.{property}", $"points to no step: '{target}'");
            ValidateStep(steps[i], path, definition, references, errors);
        }

        if (errors.IsEmpty) ValidateGraph(definition, steps, indexById, errors);
    }

    private static void ValidateStep(Step step, string path, FlowDefinition definition, FlowReferences references, ValidationErrors errors)
    {
        switch (step)
        {
            case SendStep send:
                if (!Ids.IsValid(send.ContentId)) errors.Add($"{path}.contentId", Ids.Rule);
                else if (!references.ContentChannels.TryGetValue(send.ContentId, out var channel)) errors.Add($"{path}.contentId", $"names no content: '{send.ContentId}'");
                else if (channel != send.Channel) errors.Add($"{path}.contentId", $"'{send.ContentId}' is {channel.ToString().ToLowerInvariant()} content; {step.Type} needs {send.Channel.ToString().ToLowerInvariant()} content");
                break;
            case WaitStep wait:
                var kinds = (wait.Duration is null ? 0 : 1) + (wait.Until is null ? 0 : 1) + (wait.UntilTime is null ? 0 : 1);
                if (kinds != 1) errors.Add(path, "a wait needs exactly one of duration, until or untilTime");
                if (wait.Duration is { } d && (d <= TimeSpan.Zero || d > MaxDuration)) errors.Add($"{path}.duration", "must be a positive duration of at most 10 years");
                break;
            case WaitForEventStep waitForEvent:
                if (string.IsNullOrWhiteSpace(waitForEvent.Event) || waitForEvent.Event.Length > Ids.MaxLength) errors.Add($"{path}.event", "must name an event type of 1-128 characters");
                if (waitForEvent.Timeout <= TimeSpan.Zero || waitForEvent.Timeout > MaxDuration) errors.Add($"{path}.timeout", "must be a positive duration of at most 10 years");
                if (waitForEvent.Where is { } where) ValidateCondition(where, $"{path}.where", ConditionPlace.Properties, definition, errors, 0);
                break;
            case ConditionStep condition:
                ValidateCondition(condition.If, $"{path}.if", ConditionPlace.Contact, definition, errors, 0);
                break;
            case SplitStep split:
                if (split.Branches.IsDefaultOrEmpty || split.Branches.Length < 2) errors.Add($"{path}.branches", "must have at least two branches");
                else
                {
                    for (var b = 0; b < split.Branches.Length; b++)
                        if (split.Branches[b].Percent is < 1 or > 100) errors.Add($"{path}.branches[{b}].percent", "must be between 1 and 100");
                    if (split.Branches.Sum(b => b.Percent) != 100) errors.Add($"{path}.branches", "percents must sum to 100");
                }
                break;
            case UpdateContactStep update:
                if (update.SetAttributes.IsEmpty && update.IncrementAttributes.IsEmpty && update.AddTags.IsDefaultOrEmpty && update.RemoveTags.IsDefaultOrEmpty)
                    errors.Add(path, "an updateContact step needs setAttributes, incrementAttributes, addTags or removeTags");
                foreach (var key in update.SetAttributes.Keys.Concat(update.IncrementAttributes.Keys))
                    if (!Ids.IsValid(key)) errors.Add($"{path}.setAttributes", $"attribute name '{key}' {Ids.Rule}");
                foreach (var (name, tags) in new[] { ("addTags", update.AddTags), ("removeTags", update.RemoveTags) })
                    if (!tags.IsDefault && tags.Any(t => string.IsNullOrWhiteSpace(t) || t.Length > Ids.MaxLength)) errors.Add($"{path}.{name}", "tags must be 1-128 characters");
                break;
            case CreateActivityStep activity:
                if (string.IsNullOrWhiteSpace(activity.Title) || activity.Title.Length > 500) errors.Add($"{path}.title", "must be 1-500 characters");
                else if (ContentValidator.TemplateError(activity.Title) is { } titleError) errors.Add($"{path}.title", titleError);
                break;
            case WebhookStep webhook:
                if (!Uri.TryCreate(webhook.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                    errors.Add($"{path}.url", "must be an absolute http or https url");
                else if (references.AllowedWebhookHosts is { } allowed && !allowed.Contains(uri.Host))
                    errors.Add($"{path}.url", $"host '{uri.Host}' is not in Webhooks:AllowedHosts");
                if (!Methods.Contains(webhook.Method)) errors.Add($"{path}.method", "must be one of " + string.Join(", ", Methods));
                if (webhook.Body is { } body && ContentValidator.TemplateError(body) is { } bodyError) errors.Add($"{path}.body", bodyError);
                break;
            case MoveToFlowStep move:
                ValidateFlowReference(move.FlowId, $"{path}.flowId", references, errors);
                break;
        }
    }

    private static void ValidateFlowReference(string flowId, string path, FlowReferences references, ValidationErrors errors)
    {
        if (!Ids.IsValid(flowId)) errors.Add(path, Ids.Rule);
        else if (!references.ExistingFlows.Contains(flowId)) errors.Add(path, $"names no flow: '{flowId}'");
    }

    /// <summary>Every step reachable from the start, and no cycle that never waits (it would spin forever).</summary>
    private static void ValidateGraph(FlowDefinition definition, ImmutableArray<Step> steps, Dictionary<string, int> indexById, ValidationErrors errors)
    {
        var reached = new bool[steps.Length];
        var queue = new Queue<int>([indexById[definition.StartStepId]]);
        reached[queue.Peek()] = true;
        while (queue.TryDequeue(out var i))
            foreach (var (_, target) in steps[i].Targets)
                if (target is not null && indexById[target] is var j && !reached[j])
                {
                    reached[j] = true;
                    queue.Enqueue(j);
                }
        for (var i = 0; i < steps.Length; i++)
            if (!reached[i]) errors.Add($"$.steps[{i}]", $"step '{steps[i].Id}' cannot be reached from startStepId");

        // Depth-first search over steps that do not wait: a back edge is a loop without a wait.
        var colour = new int[steps.Length]; // 0 new, 1 on the path, 2 done
        for (var i = 0; i < steps.Length; i++)
            if (colour[i] == 0 && !steps[i].Waits) Visit(i);

        void Visit(int i)
        {
            colour[i] = 1;
            foreach (var (_, target) in steps[i].Targets)
            {
                if (target is null) continue;
                var j = indexById[target];
                if (steps[j].Waits) continue;
                if (colour[j] == 1) errors.Add($"$.steps[{j}]", $"step '{steps[j].Id}' is on a loop without a wait");
                else if (colour[j] == 0) Visit(j);
            }
            colour[i] = 2;
        }
    }

    private enum ConditionPlace { Contact, Properties, Segment }

    private static void ValidateCondition(Condition condition, string path, ConditionPlace place, FlowDefinition? definition, ValidationErrors errors, int depth)
    {
        if (condition is null)
        {
            errors.Add(path, "must be a condition, not null");
            return;
        }
        if (depth > FlowJson.MaxConditionDepth)
        {
            errors.Add(path, $"conditions may nest at most {FlowJson.MaxConditionDepth} levels");
            return;
        }
        switch (condition)
        {
            case AttributeCondition a:
                if (place == ConditionPlace.Properties) errors.Add($"{path}.attribute", "a condition on event properties uses property, not attribute");
                else if (!IsContactField(a.Attribute)) errors.Add($"{path}.attribute", "must be one of " + string.Join(", ", AttributeCondition.Fields) + " or attributes.<name>");
                ValidateComparison(a, path, errors);
                break;
            case PropertyCondition p:
                if (place == ConditionPlace.Segment) errors.Add($"{path}.property", "a segment filter holds attribute conditions only");
                else if (place == ConditionPlace.Contact) errors.Add($"{path}.property", "property conditions belong inside an event's where");
                else if (string.IsNullOrWhiteSpace(p.Property) || p.Property.Length > Ids.MaxLength) errors.Add($"{path}.property", "must name a property of 1-128 characters");
                ValidateComparison(p, path, errors);
                break;
            case EventCondition e:
                if (place == ConditionPlace.Segment)
                {
                    errors.Add($"{path}.event", "a segment filter holds attribute conditions only; put conditions on events in a flow");
                    break;
                }
                if (place == ConditionPlace.Properties) errors.Add($"{path}.event", "an event condition cannot stand inside a where");
                if (string.IsNullOrWhiteSpace(e.Event) || e.Event.Length > Ids.MaxLength) errors.Add($"{path}.event", "must name an event type of 1-128 characters");
                if (e.Within is { } within && (within <= TimeSpan.Zero || within > MaxDuration)) errors.Add($"{path}.within", "must be a positive duration of at most 10 years");
                if (e.StepId is { } stepId && definition is not null && definition.FindStep(stepId) is null) errors.Add($"{path}.stepId", $"names no step: '{stepId}'");
                if (e.Where is { } where) ValidateCondition(where, $"{path}.where", ConditionPlace.Properties, definition, errors, depth + 1);
                break;
            case AllCondition all:
                ValidateList(all.All, $"{path}.all", place, definition, errors, depth);
                break;
            case AnyCondition any:
                ValidateList(any.Any, $"{path}.any", place, definition, errors, depth);
                break;
            case NotCondition not:
                ValidateCondition(not.Not, $"{path}.not", place, definition, errors, depth + 1);
                break;
        }
    }

    private static void ValidateList(ImmutableArray<Condition> items, string path, ConditionPlace place, FlowDefinition? definition, ValidationErrors errors, int depth)
    {
        if (items.IsDefaultOrEmpty)
        {
            errors.Add(path, "must hold at least one condition");
            return;
        }
        for (var i = 0; i < items.Length; i++) ValidateCondition(items[i], $"{path}[{i}]", place, definition, errors, depth + 1);
    }

    private static void ValidateComparison(ComparisonCondition c, string path, ValidationErrors errors)
    {
        switch (c.Op)
        {
            case ConditionOp.Exists or ConditionOp.NotExists:
                break;
            case ConditionOp.In or ConditionOp.NotIn:
                if (c.Value.Kind != FieldValueKind.Array) errors.Add($"{path}.value", $"'{OpName(c.Op)}' needs an array value");
                break;
            default:
                if (c.Value.Kind is FieldValueKind.Null or FieldValueKind.Array) errors.Add($"{path}.value", $"'{OpName(c.Op)}' needs a string, number or boolean value");
                break;
        }
    }

    private static string OpName(ConditionOp op) => op.ToString()[..1].ToLowerInvariant() + op.ToString()[1..];

    private static bool IsContactField(string field) =>
        AttributeCondition.Fields.Contains(field) ||
        field.StartsWith("attributes.", StringComparison.Ordinal) && Ids.IsValid(field["attributes.".Length..]);
}
