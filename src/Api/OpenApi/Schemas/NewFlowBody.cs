using System.Collections.Immutable;
using System.ComponentModel;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Api.OpenApi.Schemas;

/// <summary>
/// The body of <c>POST /v1/flows</c> as the document shows it: a <see cref="FlowDefinition"/> that may carry its own
/// <c>id</c>. Only for the document; the handler reads the body itself. A test keeps its fields in step with the definition.
/// </summary>
public sealed record NewFlowBody
{
    [Description("The flow's id (1–128 characters of `A-Z a-z 0-9 . _ : @ -`); a new id is made when it is left out. An id already used, also by a deleted flow that ran, is a 409.")]
    public string? Id { get; init; }

    [Description("The flow's name, as marketers see it.")]
    public required string Name { get; init; }

    [Description("How contacts enter: `manual` (the default), on an `event`, or as members of `segment`s.")]
    public Trigger? Trigger { get; init; }

    [Description("Contacts must match this to be enrolled, and are checked again before every action.")]
    public Condition? Filter { get; init; }

    public Reentry? Reentry { get; init; }

    [Description("When a participant counts as successful, and what happens then (`stop`, `continue`, and optionally `moveTo` another running flow).")]
    public SuccessCriteria? Success { get; init; }

    [Description("Optional start and end, the flow's time zone and a send window (days and hours when messages may go out).")]
    public Schedule? Schedule { get; init; }

    [Description("The step a participant starts at.")]
    public required string StartStepId { get; init; }

    [Description("The steps; each has a unique `id` and a `type`. A step without `next` ends the journey.")]
    public required ImmutableArray<Step> Steps { get; init; }
}
