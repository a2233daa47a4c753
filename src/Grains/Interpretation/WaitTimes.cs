using Orleans.Flows.Flows;

namespace Orleans.Flows.Interpretation;

/// <summary>When a wait ends. Pure: the clock is an argument.</summary>
public static class WaitTimes
{
    public static DateTimeOffset WakeAt(WaitStep step, DateTimeOffset now, string? timeZoneId)
    {
        if (step.Duration is { } duration) return now + duration;
        if (step.Until is { } until) return until;
        if (step.UntilTime is { } time) return NextTimeOfDay(time, now, ResolveZone(timeZoneId));
        return now;
    }

    /// <summary>The first moment after <paramref name="now"/> when the clock in <paramref name="zone"/> shows <paramref name="time"/>.</summary>
    public static DateTimeOffset NextTimeOfDay(TimeOnly time, DateTimeOffset now, TimeZoneInfo zone)
    {
        var localNow = TimeZoneInfo.ConvertTime(now, zone);
        var date = DateOnly.FromDateTime(localNow.DateTime);
        for (var i = 0; i < 3; i++)
        {
            var candidate = ToInstant(date.AddDays(i).ToDateTime(time), zone);
            if (candidate > now) return candidate;
        }
        return ToInstant(date.AddDays(3).ToDateTime(time), zone);
    }

    /// <summary>
    /// When a send may go under <paramref name="window"/>: <paramref name="now"/> inside it, else the next time it
    /// opens, on the clock of <paramref name="zone"/>. No days listed means every day.
    /// </summary>
    public static DateTimeOffset WindowOpensAt(SendWindow window, DateTimeOffset now, TimeZoneInfo zone)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        for (var i = -1; i <= 7; i++)
        {
            var date = today.AddDays(i);
            if (!window.Days.IsDefaultOrEmpty && !window.Days.Contains(WeekdayOf(date))) continue;
            var opens = ToInstant(date.ToDateTime(window.From), zone);
            var closes = ToInstant(date.ToDateTime(window.To), zone);
            if (now < opens) return opens;
            if (now < closes) return now;
        }
        return now;
    }

    private static Weekday WeekdayOf(DateOnly date) => date.DayOfWeek switch
    {
        DayOfWeek.Monday => Weekday.Mon,
        DayOfWeek.Tuesday => Weekday.Tue,
        DayOfWeek.Wednesday => Weekday.Wed,
        DayOfWeek.Thursday => Weekday.Thu,
        DayOfWeek.Friday => Weekday.Fri,
        DayOfWeek.Saturday => Weekday.Sat,
        _ => Weekday.Sun,
    };

    /// <summary>A local wall-clock time as an instant: a time skipped by a daylight-saving change moves forward, a repeated one takes its first occurrence.</summary>
    private static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(30);
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }

    public static TimeZoneInfo ResolveZone(string? timeZoneId) =>
        timeZoneId is not null && TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>The contact's time zone when it is a known one, else the flow's.</summary>
    public static string? ZoneFor(string? contactZone, string? flowZone) =>
        contactZone is not null && IsKnownZone(contactZone) ? contactZone : flowZone;

    public static bool IsKnownZone(string timeZoneId) => TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out _);
}
