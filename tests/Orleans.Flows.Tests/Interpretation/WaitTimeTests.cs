using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Participants;
using static Orleans.Flows.Tests.Interpretation.FlowBuilder;

namespace Orleans.Flows.Tests.Interpretation;

public class WaitTimeTests
{
    private static readonly TimeZoneInfo Oslo = TimeZoneInfo.FindSystemTimeZoneById("Europe/Oslo");

    private static FlowDefinition WaitFlow(string waitProperties, string extra = "") => Flow("pause", $$"""
        {"id": "pause", "type": "wait", {{waitProperties}}, "next": "send"},
        {"id": "send", "type": "sendEmail", "contentId": "welcome-email"}
        """, extra);

    [Fact]
    public void WaitUntilAPastMomentContinuesImmediately()
    {
        var result = Enroll(WaitFlow("""  "until": "2026-03-01T00:00:00Z" """), Contact());

        Assert.IsType<SendMessage>(Assert.Single(result.Actions));
        Assert.Equal(ParticipantStatus.Completed, result.State.Status);
        Assert.Equal("waited", Assert.Single(result.State.History, h => h.StepId == "pause").Outcome);
    }

    [Fact]
    public void WaitUntilAFutureMomentWakesThen()
    {
        var until = new DateTimeOffset(2026, 3, 5, 12, 0, 0, TimeSpan.Zero);

        var result = Enroll(WaitFlow("""  "until": "2026-03-05T12:00:00Z" """), Contact());

        Assert.Empty(result.Actions);
        Assert.Equal(ParticipantStatus.Waiting, result.State.Status);
        Assert.Equal(until, result.State.WakeAt);
        Assert.Equal(WaitKind.Delay, result.State.WaitKind);
    }

    [Fact]
    public void WaitUntilTimeUsesTheContactsTimeZone()
    {
        // 08:00Z is 09:00 in Oslo: 10:00 Oslo is 09:00Z the same day.
        var result = Enroll(WaitFlow("""  "untilTime": "10:00" """), Contact() with { TimeZone = "Europe/Oslo" });

        Assert.Equal(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero), result.State.WakeAt);
    }

    [Fact]
    public void WaitUntilTimePrefersTheContactsTimeZoneOverTheFlows()
    {
        // New York is UTC-5 on 2 March 2026: 10:00 there is 15:00Z.
        var flow = WaitFlow("""  "untilTime": "10:00" """, """ "schedule": {"timeZone": "Europe/Oslo"}, """);

        var result = Enroll(flow, Contact() with { TimeZone = "America/New_York" });

        Assert.Equal(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero), result.State.WakeAt);
    }

    [Fact]
    public void WaitUntilTimeFallsBackToTheFlowsTimeZone()
    {
        var flow = WaitFlow("""  "untilTime": "10:00" """, """ "schedule": {"timeZone": "Europe/Oslo"}, """);

        var result = Enroll(flow, Contact() with { TimeZone = null });

        Assert.Equal(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero), result.State.WakeAt);
    }

    [Fact]
    public void WaitUntilTimeFallsBackToUtc()
    {
        var result = Enroll(WaitFlow("""  "untilTime": "10:00" """), Contact() with { TimeZone = null });

        Assert.Equal(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero), result.State.WakeAt);
    }

    [Fact]
    public void WaitUntilAnEarlierTimeOfDayWakesTomorrow()
    {
        // 09:00Z is 10:00 in Oslo; 09:00 Oslo has passed, so tomorrow 09:00 Oslo = 08:00Z.
        var flow = Context(WaitFlow("""  "untilTime": "09:00" """));

        var result = Enroll(flow, Contact() with { TimeZone = "Europe/Oslo" }, Now.AddHours(1));

        Assert.Equal(new DateTimeOffset(2026, 3, 3, 8, 0, 0, TimeSpan.Zero), result.State.WakeAt);
    }

    [Fact]
    public void WaitUntilTheCurrentTimeOfDayWakesTomorrow()
    {
        // Now is exactly 09:00 in Oslo: the next 09:00 is strictly after now.
        var result = Enroll(WaitFlow("""  "untilTime": "09:00" """), Contact() with { TimeZone = "Europe/Oslo" });

        Assert.Equal(new DateTimeOffset(2026, 3, 3, 8, 0, 0, TimeSpan.Zero), result.State.WakeAt);
    }

    [Fact]
    public void NextTimeOfDayInASkippedHourReturnsAValidInstantAfterNow()
    {
        // On 2026-03-29 Oslo skips from 02:00 to 03:00: 02:30 does not exist that day.
        var now = new DateTimeOffset(2026, 3, 29, 0, 0, 0, TimeSpan.Zero); // 01:00 CET

        var next = WaitTimes.NextTimeOfDay(new TimeOnly(2, 30), now, Oslo);

        Assert.True(next > now);
        Assert.True(next < now.AddDays(1));
        var local = TimeZoneInfo.ConvertTime(next, Oslo);
        Assert.False(Oslo.IsInvalidTime(local.DateTime));
        Assert.Equal(new DateOnly(2026, 3, 29), DateOnly.FromDateTime(local.DateTime));
    }

    [Fact]
    public void NextTimeOfDayAcrossTheSpringChangeUsesSummerTime()
    {
        var now = new DateTimeOffset(2026, 3, 28, 9, 0, 0, TimeSpan.Zero); // 10:00 CET, Saturday

        var next = WaitTimes.NextTimeOfDay(new TimeOnly(9, 0), now, Oslo);

        Assert.Equal(new DateTimeOffset(2026, 3, 29, 9, 0, 0, TimeSpan.FromHours(2)), next);
    }

    [Fact]
    public void NextTimeOfDayInARepeatedHourTakesTheFirstOccurrence()
    {
        // On 2026-10-25 Oslo repeats 02:00-03:00; the first 02:30 is at +02:00 (00:30Z).
        var now = new DateTimeOffset(2026, 10, 25, 0, 0, 0, TimeSpan.Zero);

        var next = WaitTimes.NextTimeOfDay(new TimeOnly(2, 30), now, Oslo);

        Assert.Equal(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void UnknownTimeZoneResolvesToUtc()
    {
        Assert.Equal(TimeZoneInfo.Utc, WaitTimes.ResolveZone("Mars/Olympus"));
        Assert.Equal(TimeZoneInfo.Utc, WaitTimes.ResolveZone(null));
    }

    [Fact]
    public void WaitDurationAddsToNow()
    {
        var step = new WaitStep { Id = "w", Duration = TimeSpan.FromMinutes(90) };

        Assert.Equal(Now.AddMinutes(90), WaitTimes.WakeAt(step, Now, "Europe/Oslo"));
    }
}
