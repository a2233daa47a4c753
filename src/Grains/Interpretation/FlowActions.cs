using Orleans.Flows.Contacts;
using Orleans.Flows.Content;
using Orleans.Flows.Flows;

namespace Orleans.Flows.Interpretation;

/// <summary>What the interpreter asks the world to do; the grain performs these, the interpreter never does.</summary>
public abstract record FlowAction;

/// <summary>Hand a message of content to the outbox.</summary>
public sealed record SendMessage(string MessageId, string StepId, Channel Channel, string ContentId, string To) : FlowAction;

/// <summary>Persist a change the interpreter already applied to its copy of the contact.</summary>
public sealed record UpdateContact(string OperationId, ContactUpdate Update) : FlowAction;

public sealed record CreateActivity(string MessageId, string StepId, ActivityKind Kind, string Title) : FlowAction;

public sealed record CallWebhook(string MessageId, string StepId, string Url, string Method, string? Body) : FlowAction;

/// <summary>Enroll the contact into another flow.</summary>
public sealed record EnrollInFlow(string FlowId) : FlowAction;

/// <summary>What happens to a participant: the flow version it is on, and the flow's state right now.</summary>
public sealed record FlowContext(string FlowId, int Version, FlowDefinition Definition, FlowStatus Status);

/// <summary>What reached the participant.</summary>
public abstract record ParticipantInput
{
    public static readonly ParticipantInput Enroll = new EnrollInput();
    public static readonly ParticipantInput Wake = new WakeInput();
    public static readonly ParticipantInput Remove = new RemoveInput();
    public static readonly ParticipantInput FlowEnded = new FlowEndedInput();
}

public sealed record EnrollInput : ParticipantInput;

/// <summary>A wake-up: due waits and timeouts move on, anything else ignores it.</summary>
public sealed record WakeInput : ParticipantInput;

public sealed record RemoveInput : ParticipantInput;

public sealed record FlowEndedInput : ParticipantInput;

/// <summary>An event of the participant's contact: it may meet the success criteria or end a <c>waitForEvent</c>.</summary>
public sealed record EventInput(ContactEvent Event) : ParticipantInput;
