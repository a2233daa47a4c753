using System.Collections.Immutable;
using System.Globalization;
using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;
using Orleans.Flows.Values;

namespace Orleans.Flows.Interpretation;

/// <summary>What a condition can look at.</summary>
/// <param name="EventsSince">Events before this moment are not counted (success criteria count only what happened after enrollment).</param>
/// <param name="StepRanAt">When a step of the current journey last ran, for event conditions with <c>stepId</c>.</param>
public sealed record ConditionScope(
    Contact Contact,
    ImmutableArray<ContactEvent> Events,
    DateTimeOffset Now,
    DateTimeOffset? EventsSince = null,
    Func<string, DateTimeOffset?>? StepRanAt = null);

/// <summary>Evaluates the condition language of the API. Pure.</summary>
public static partial class ConditionEvaluator
{
    /// <summary>
    /// The texts that compare as timestamps: ISO 8601 date, optional time, fraction and offset. Only these, so that
    /// a condition means the same every day (a lenient parser reads "1/2" as a date of the current year) and the
    /// database can evaluate it the same way (filter segments).
    /// </summary>
    public const string IsoTimestamp =
        @"^ *[0-9]{4}-[0-9]{1,2}(-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{1,7})?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?)?)? *$";

    [System.Text.RegularExpressions.GeneratedRegex(IsoTimestamp, System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex IsoTimestampRegex();

    public static bool Evaluate(Condition condition, ConditionScope scope) => condition switch
    {
        AttributeCondition a => Compare(ReadContactField(scope.Contact, a.Attribute), a.Op, a.Value),
        EventCondition e => MatchesEvent(e, scope),
        AllCondition all => all.All.All(c => Evaluate(c, scope)),
        AnyCondition any => any.Any.Any(c => Evaluate(c, scope)),
        NotCondition not => !Evaluate(not.Not, scope),
        // A property condition outside an event has no event to look at.
        PropertyCondition => false,
        _ => false,
    };

    /// <summary>Evaluates a condition on an event's properties (trigger <c>where</c>, event condition <c>where</c>).</summary>
    public static bool EvaluateOnProperties(Condition condition, IReadOnlyDictionary<string, FieldValue> properties) => condition switch
    {
        PropertyCondition p => Compare(properties.TryGetValue(p.Property, out var v) ? v : FieldValue.Null, p.Op, p.Value),
        AllCondition all => all.All.All(c => EvaluateOnProperties(c, properties)),
        AnyCondition any => any.Any.Any(c => EvaluateOnProperties(c, properties)),
        NotCondition not => !EvaluateOnProperties(not.Not, properties),
        _ => false,
    };

    public static FieldValue ReadContactField(Contact contact, string field)
    {
        if (field.StartsWith("attributes.", StringComparison.Ordinal))
            return contact.Attributes.TryGetValue(field["attributes.".Length..], out var value) ? value : FieldValue.Null;
        var text = field switch
        {
            "email" => contact.Email,
            "phone" => contact.Phone,
            "pushToken" => contact.PushToken,
            "company" => contact.Company,
            "firstName" => contact.FirstName,
            "lastName" => contact.LastName,
            "timeZone" => contact.TimeZone,
            "tags" => null,
            _ => null,
        };
        if (field == "tags") return FieldValue.Of(contact.Tags.Select(FieldValue.Of));
        return text is null ? FieldValue.Null : FieldValue.Of(text);
    }

    private static bool MatchesEvent(EventCondition condition, ConditionScope scope)
    {
        var since = scope.EventsSince;
        if (condition.Within is { } within)
        {
            var from = scope.Now - within;
            since = since is null || from > since ? from : since;
        }
        if (condition.StepId is { } stepId)
        {
            if (scope.StepRanAt?.Invoke(stepId) is not { } ranAt) return false;
            since = since is null || ranAt > since ? ranAt : since;
        }
        foreach (var e in scope.Events)
        {
            if (!string.Equals(e.Type, condition.Event, StringComparison.Ordinal)) continue;
            if (since is { } s && e.OccurredAt < s) continue;
            if (e.OccurredAt > scope.Now) continue;
            if (condition.Where is { } where && !EvaluateOnProperties(where, e.Properties)) continue;
            return true;
        }
        return false;
    }

    /// <summary>
    /// Compares an actual value with a condition value. Strings compare without regard to case; an array
    /// (such as <c>tags</c>) matches when one of its items does.
    /// </summary>
    public static bool Compare(FieldValue actual, ConditionOp op, FieldValue expected)
    {
        switch (op)
        {
            case ConditionOp.Exists:
                return !IsEmpty(actual);
            case ConditionOp.NotExists:
                return IsEmpty(actual);
            case ConditionOp.Ne:
                return !Compare(actual, ConditionOp.Eq, expected);
            case ConditionOp.NotIn:
                return !Compare(actual, ConditionOp.In, expected);
            case ConditionOp.In:
                return expected.Kind == FieldValueKind.Array
                    ? expected.Items.Any(item => Compare(actual, ConditionOp.Eq, item))
                    : Compare(actual, ConditionOp.Eq, expected);
        }

        if (actual.Kind == FieldValueKind.Array)
            return actual.Items.Any(item => Compare(item, op, expected));

        return op switch
        {
            ConditionOp.Eq => AreEqual(actual, expected),
            ConditionOp.Contains => actual.AsText() is { } a && expected.AsText() is { } e && a.Contains(e, StringComparison.OrdinalIgnoreCase),
            ConditionOp.StartsWith => actual.AsText() is { } a && expected.AsText() is { } e && a.StartsWith(e, StringComparison.OrdinalIgnoreCase),
            ConditionOp.Gt => Order(actual, expected) is > 0,
            ConditionOp.Gte => Order(actual, expected) is >= 0,
            ConditionOp.Lt => Order(actual, expected) is < 0,
            ConditionOp.Lte => Order(actual, expected) is <= 0,
            _ => false,
        };
    }

    private static bool IsEmpty(FieldValue value) => value.Kind switch
    {
        FieldValueKind.Null => true,
        FieldValueKind.String => string.IsNullOrEmpty(value.Text),
        FieldValueKind.Array => value.Items.IsDefaultOrEmpty,
        _ => false,
    };

    private static bool AreEqual(FieldValue actual, FieldValue expected)
    {
        if (actual.Kind == FieldValueKind.Null || expected.Kind == FieldValueKind.Null)
            return actual.Kind == expected.Kind;
        if (actual.Kind == FieldValueKind.Number || expected.Kind == FieldValueKind.Number)
        {
            if (actual.AsNumber() is { } x && expected.AsNumber() is { } y) return x.Equals(y);
        }
        return string.Equals(actual.AsText(), expected.AsText(), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Orders numbers as numbers, timestamps as timestamps and anything else as text; null when either is missing.</summary>
    private static int? Order(FieldValue actual, FieldValue expected)
    {
        if (actual.Kind == FieldValueKind.Null || expected.Kind == FieldValueKind.Null) return null;
        if (actual.AsNumber() is { } x && expected.AsNumber() is { } y) return x.CompareTo(y);
        var a = actual.AsText();
        var e = expected.AsText();
        if (a is null || e is null) return null;
        if (IsoTimestampRegex().IsMatch(a) && IsoTimestampRegex().IsMatch(e) &&
            DateTimeOffset.TryParse(a, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var da) &&
            DateTimeOffset.TryParse(e, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var de))
            return da.CompareTo(de);
        return string.Compare(a, e, StringComparison.OrdinalIgnoreCase);
    }
}
