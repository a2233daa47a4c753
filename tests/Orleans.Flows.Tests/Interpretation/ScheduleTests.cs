using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

/// <summary>
/// A flow's schedule: sends wait for the send window in the contact's time zone (else the flow's), and
/// <c>startAt</c>/<c>endAt</c> bound when the flow acts. <see cref="FlowBuilder.Now"/> is Monday 08:00 UTC.
/// </summary>
public class ScheduleTests
{
    private const string SendThenWait = """
        {"id": "hello", "type": "sendEmail", "contentId": "welcome-email", "next": "pause"},
        {"id": "pause", "type": "wait", "duration": "PT1H"}
        """;

    private static FlowContext Windowed(string days = "[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"]", string zone = "Europe/Oslo") => Context(Flow("hello", SendThenWait,
        $$$"""
        "schedule": {"timeZone": "{{{zone}}}", "sendWindow": {"days": {{{days}}}, "from": "10:00", "to": "17:00"}},
        """));

    [Fact]
    public void ASendOutsideTheWindowWaitsForItToOpenAndItsHistorySaysWhy()
    {
        // 08:00 UTC is 09:00 in Oslo: an hour before the window opens.
        var result = Enroll(Windowed(), Contact(), Now);

        Assert.Empty(result.Actions);
        Assert.Equal(ParticipantStatus.Waiting, result.State.Status);
        Assert.Equal(WaitKind.Held, result.State.WaitKind);
        Assert.Equal("hello", result.State.CurrentStepId);
        Assert.Equal(Now.AddHours(1), result.State.WakeAt);
        var held = result.State.History[^1];
        Assert.Equal(("held", "send_window", Now.AddHours(1)), (held.Outcome, held.Reason, held.Until));
    }

    [Fact]
    public void WhenTheWindowOpensTheMessageGoesAndTheHistoryShowsWhenItWasDueAndWhenItWent()
    {
        var flow = Windowed();
        var held = Enroll(flow, Contact(), Now).State;
        var opens = Now.AddHours(1);

        var result = Wake(flow, held, Contact(), opens.AddSeconds(3));

        var send = Assert.IsType<SendMessage>(Assert.Single(result.Actions));
        Assert.Equal("hello", send.StepId);
        var sent = Assert.Single(result.State.History, h => h.StepId == "hello" && h.Outcome == "sent");
        Assert.Equal(Now, sent.ScheduledAt);
        Assert.Equal(opens.AddSeconds(3), sent.At);
        Assert.Equal(("pause", WaitKind.Delay), (result.State.CurrentStepId, result.State.WaitKind));
    }

    [Fact]
    public void TheContactsTimeZoneComesBeforeTheFlows()
    {
        // 08:00 UTC is 03:00 in New York: the window opens at 10:00 there, 15:00 UTC.
        var contact = Contact() with { TimeZone = "America/New_York" };

        var result = Enroll(Windowed(), contact, Now);

        Assert.Equal(Now.AddHours(7), result.State.WakeAt);
    }

    [Fact]
    public void InsideTheWindowTheMessageGoesAtOnce()
    {
        var result = Enroll(Windowed(), Contact(), Now.AddHours(2));

        Assert.IsType<SendMessage>(Assert.Single(result.Actions));
    }

    [Fact]
    public void AfterTheLastDayOfTheWeeksWindowTheSendWaitsForTheNextAllowedDay()
    {
        // Friday 18:00 in Oslo, after the window: it next opens on Monday 10:00 Oslo (09:00 UTC).
        var friday = new DateTimeOffset(2026, 3, 6, 17, 0, 0, TimeSpan.Zero);

        var result = Enroll(Windowed(), Contact(), friday);

        Assert.Equal(new DateTimeOffset(2026, 3, 9, 9, 0, 0, TimeSpan.Zero), result.State.WakeAt);
    }

    [Fact]
    public void AContactThatWithdrewConsentWhileHeldLeavesWhenTheWindowOpens()
    {
        var flow = Windowed();
        var held = Enroll(flow, Contact(), Now).State;
        var withdrawn = Contact() with { Consent = new Contacts.Consent { Email = false } };

        var result = Wake(flow, held, withdrawn, Now.AddHours(1));

        Assert.Empty(result.Actions);
        Assert.Equal(("exited", "no_consent"), (result.State.Status.ToApi(), result.State.ExitReason));
    }

    [Fact]
    public void BeforeStartAtAnEnrolledContactWaitsAtTheFirstStepUntilTheFlowStarts()
    {
        var flow = Context(Flow("hello", SendThenWait, $$"""
            "schedule": {"startAt": "{{Now.AddDays(1):O}}"},
            """));

        var held = Enroll(flow, Contact(), Now);
        Assert.Empty(held.Actions);
        Assert.Equal((WaitKind.Held, Now.AddDays(1)), (held.State.WaitKind, held.State.WakeAt));
        Assert.Equal("flow_start", held.State.History[^1].Reason);

        var started = Wake(flow, held.State, Contact(), Now.AddDays(1));
        Assert.IsType<SendMessage>(Assert.Single(started.Actions));
    }

    [Fact]
    public void AfterEndAtAParticipantLeavesAtItsNextStepWithFlowEnded()
    {
        var flow = Context(Flow("hello", (SendThenWait + """, {"id": "bye", "type": "sendEmail", "contentId": "welcome-email"}""").Replace("\"duration\": \"PT1H\"}", "\"duration\": \"PT1H\", \"next\": \"bye\"}"), $$"""
            "schedule": {"endAt": "{{Now.AddMinutes(30):O}}"},
            """));
        var waiting = Enroll(flow, Contact(), Now).State;

        var result = Wake(flow, waiting, Contact(), Now.AddHours(1));

        Assert.Empty(result.Actions);
        Assert.Equal(ParticipantStatus.Exited, result.State.Status);
        Assert.Equal("flow_ended", result.State.ExitReason);
    }
}
