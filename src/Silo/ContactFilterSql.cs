using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using Npgsql;
using NpgsqlTypes;
using Orleans.Flows.Flows;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Values;

namespace Orleans.Flows.Silo;

/// <summary>
/// Translates a segment filter into SQL over a contact as <c>FlowStateSerializer</c> stores it (jsonb, camelCase;
/// attributes as JSON scalars or arrays, tags as an array of strings), with the semantics of <c>ConditionEvaluator</c>,
/// which the tests compare it with. Values always travel as parameters.
/// <para>
/// Each field the filter names is read once per contact, by a lateral join, into arrays with one entry per item (an
/// array's items; a scalar, or a missing field as null, is one item): its kind, its number, its upper-cased text and
/// its timestamp, as the evaluator reads them. A comparison then holds when one item passes, which is the evaluator's
/// rule for arrays and the plain rule for a scalar; <c>ne</c>, <c>notIn</c> and <c>notExists</c> negate the whole.
/// </para>
/// <para>
/// The evaluator's rules, and so these: strings compare without regard to case (<c>upper</c> in the database's
/// character type, which must be a UTF-8 one); <c>eq</c> compares as numbers when either side is a number and both
/// read as one (a string such as <c>" 4.2e1 "</c> reads as 42 as <c>double.TryParse</c> reads it, NaN and Infinity
/// included, beyond float8's range as infinity or zero); <c>gt</c> and the like compare as numbers whenever both read
/// as one, else as timestamps, else as upper-cased text in ordinal order; a number's text (for <c>contains</c>,
/// <c>startsWith</c> and text order) is the one .NET writes (<c>1E+21</c>).
/// </para>
/// <para>
/// Timestamps are recognised in ISO 8601 form only (<see cref="IsoTimestamp"/>), as by the evaluator. Known
/// difference, outside what the API itself writes: a stored <c>-0</c> reads as <c>0</c> (jsonb keeps no negative
/// zero), which matters only to <c>contains "-"</c>.
/// </para>
/// </summary>
public sealed class ContactFilterSql
{
    /// <summary>The JSON names of the contact fields a condition may name, beside <c>attributes.X</c>.</summary>
    private static readonly ImmutableDictionary<string, string> JsonFields = new Dictionary<string, string>
    {
        ["email"] = "email",
        ["phone"] = "phone",
        ["pushToken"] = "pushToken",
        ["company"] = "company",
        ["firstName"] = "firstName",
        ["lastName"] = "lastName",
        ["timeZone"] = "timeZone",
        ["tags"] = "tags",
    }.ToImmutableDictionary(StringComparer.Ordinal);

    /// <summary>.NET's white space around a number: U+0009-U+000D and the space.</summary>
    private const string Ws = @"[\x09-\x0d ]*";

    private const string WsChars = "chr(9) || chr(10) || chr(11) || chr(12) || chr(13) || ' '";

    /// <summary>The path of a JSON value itself, for <c>#>></c>: its text without quotes.</summary>
    private const string Root = "'{}'";

    /// <summary>Numbers that PostgreSQL reads exactly as .NET does, with no risk of leaving the range of float8.</summary>
    private const string PlainNumber = "^" + Ws + @"[+-]?[0-9]{1,15}(\.[0-9]{0,15})?" + Ws + "$";

    /// <summary>Every number <c>double.TryParse</c> reads (float style, invariant culture), but NaN and Infinity.</summary>
    private const string AnyNumber = "^" + Ws + @"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?" + Ws + "$";

    /// <summary>The timestamps the database reads: ISO 8601 date, optional time, fraction and offset. Public for the tests that keep their samples within it.</summary>
    public const string IsoTimestamp = ConditionEvaluator.IsoTimestamp;

    /// <summary>The least decimal that .NET rounds to infinity: halfway between double.MaxValue and 2^1024.</summary>
    private static readonly string Overflow = (BigInteger.Pow(2, 1024) - BigInteger.Pow(2, 970)).ToString(CultureInfo.InvariantCulture);

    /// <summary>The greatest decimal that .NET rounds to zero: 2^-1075, halfway to the least subnormal (the tie goes to the even zero).</summary>
    private static readonly string Underflow = "0." + BigInteger.Pow(5, 1075).ToString(CultureInfo.InvariantCulture).PadLeft(1075, '0');

    private readonly List<NpgsqlParameter> _parameters = [];
    private readonly Dictionary<string, FieldRead> _fields = new(StringComparer.Ordinal);
    private readonly string _contact;
    private readonly string _prefix;

    private ContactFilterSql(string contact, string prefix)
    {
        _contact = contact;
        _prefix = prefix;
    }

    /// <summary>What one field is read into, and which of its item columns the comparisons use.</summary>
    private sealed class FieldRead(string alias, string json)
    {
        public string Alias { get; } = alias;
        public string Json { get; } = json;
        /// <summary>Whether a comparison looks at the items (exists and notExists look at the whole value).</summary>
        public bool Items => Number || Text || Timestamp || Kinds;
        public bool Kinds { get; set; }
        public bool Number { get; set; }
        public bool Text { get; set; }
        public bool Timestamp { get; set; }
    }

    /// <summary>
    /// Lateral joins to place after the table that holds <paramref name="contact"/> (a jsonb expression), and a
    /// boolean SQL expression (never null) that holds when that contact matches <paramref name="filter"/>; their
    /// parameters are named <c>@{parameterPrefix}N</c>.
    /// </summary>
    public static (string Joins, string Where, IReadOnlyList<NpgsqlParameter> Parameters) Translate(Condition filter, string contact, string parameterPrefix = "f")
    {
        var translator = new ContactFilterSql(contact, parameterPrefix);
        var where = translator.Where(filter);
        var joins = string.Join("\n", translator._fields.Values.Where(f => f.Items).Select(Read));
        return (joins, where, translator._parameters);
    }

    private string Where(Condition? condition) => condition switch
    {
        AttributeCondition a => Compare(a.Attribute, a.Op, a.Value),
        AllCondition all => all.All.IsDefaultOrEmpty ? "true" : "(" + string.Join(" and ", all.All.Select(Where)) + ")",
        AnyCondition any => any.Any.IsDefaultOrEmpty ? "false" : "(" + string.Join(" or ", any.Any.Select(Where)) + ")",
        NotCondition not => "(not " + Where(not.Not) + ")",
        // As in the evaluator: a contact alone has no events or properties to look at (a segment filter refuses them anyway).
        _ => "false",
    };

    /// <summary>Mirrors <c>ConditionEvaluator.Compare</c>.</summary>
    private string Compare(string field, ConditionOp op, FieldValue expected)
    {
        switch (op)
        {
            case ConditionOp.Exists:
                return Exists(Field(field).Json);
            case ConditionOp.NotExists:
                return $"(not {Exists(Field(field).Json)})";
            case ConditionOp.Ne:
                return $"(not {Compare(field, ConditionOp.Eq, expected)})";
            case ConditionOp.NotIn:
                return $"(not {Compare(field, ConditionOp.In, expected)})";
            case ConditionOp.In:
                if (expected.Kind != FieldValueKind.Array) return Compare(field, ConditionOp.Eq, expected);
                return expected.Items.IsDefaultOrEmpty
                    ? "false"
                    : "(" + string.Join(" or ", expected.Items.Select(item => Compare(field, ConditionOp.Eq, item))) + ")";
            case ConditionOp.Eq:
                return Equal(Field(field), expected);
            case ConditionOp.Contains or ConditionOp.StartsWith:
                if (expected.AsText() is not { } text) return "false";
                var f = Field(field);
                f.Text = true;
                var test = op == ConditionOp.Contains ? $"strpos(x.u, upper({Text(text)})) > 0" : $"starts_with(x.u, upper({Text(text)}))";
                return $"exists (select 1 from unnest({f.Alias}.u) as x(u) where {test})";
            case ConditionOp.Gt or ConditionOp.Gte or ConditionOp.Lt or ConditionOp.Lte:
                var sign = op switch { ConditionOp.Gt => "> 0", ConditionOp.Gte => ">= 0", ConditionOp.Lt => "< 0", _ => "<= 0" };
                return Order(Field(field), expected, sign);
            default:
                return "false";
        }
    }

    /// <summary>The field as jsonb (SQL null when missing), read once per contact by <see cref="Read"/>.</summary>
    private FieldRead Field(string field)
    {
        if (_fields.TryGetValue(field, out var read)) return read;
        string json;
        if (field.StartsWith("attributes.", StringComparison.Ordinal)) json = $"({_contact} -> 'attributes' -> {Text(field["attributes.".Length..])})";
        else if (JsonFields.TryGetValue(field, out var name)) json = $"({_contact} -> '{name}')";
        else json = "null::jsonb";
        read = new FieldRead("c" + _fields.Count.ToString(CultureInfo.InvariantCulture), json);
        _fields[field] = read;
        return read;
    }

    /// <summary>Not empty: a string of at least one character, an array of at least one item, any number or boolean.</summary>
    private static string Exists(string x) =>
        $"coalesce(case jsonb_typeof({x}) when 'string' then ({x} #>> '{{}}') <> '' when 'array' then jsonb_array_length({x}) > 0 " +
        "when 'number' then true when 'boolean' then true else false end, false)";

    /// <summary>
    /// <c>AreEqual</c> on one item: null only equals null; when either side is a number, equal as numbers if both
    /// read as one; otherwise the texts without regard to case.
    /// </summary>
    private string Equal(FieldRead f, FieldValue expected)
    {
        switch (expected.Kind)
        {
            case FieldValueKind.Null:
                f.Kinds = true;
                return $"coalesce('null' = any({f.Alias}.k), false)";
            case FieldValueKind.Array:
                // An array is no scalar: neither its number nor its text equals an item's.
                return "false";
            case FieldValueKind.Number:
                // An item that does not read as a number falls back on text, and no such text equals a number's.
                f.Number = true;
                return $"coalesce({Double(expected.Number)} = any({f.Alias}.n), false)";
        }
        f.Text = true;
        var text = Text(expected.AsText()!);
        if (expected.AsNumber() is { } number)
        {
            f.Number = true;
            return $"exists (select 1 from unnest({f.Alias}.k, {f.Alias}.n, {f.Alias}.u) as x(k, n, u) " +
                   $"where case when x.k = 'number' then x.n = {Double(number)} else x.u = upper({text}) end)";
        }
        // A number's text always reads as a number, so it never equals a text that does not: only strings and booleans can.
        return $"exists (select 1 from unnest({f.Alias}.k, {f.Alias}.u) as x(k, u) where x.k in ('string', 'boolean') and x.u = upper({text}))";
    }

    /// <summary>
    /// <c>Order</c> on one item: none when either side is null; as numbers when both read as one (NaN below all, as
    /// .NET orders it); else as timestamps when both read as one; else as upper-cased text in ordinal order.
    /// </summary>
    private string Order(FieldRead f, FieldValue expected, string sign)
    {
        if (expected.Kind == FieldValueKind.Null || expected.AsText() is not { } text) return "false";
        f.Text = true;
        var branches = new List<string> { "when x.k = 'null' then null" };
        if (expected.AsNumber() is { } number)
        {
            f.Number = true;
            branches.Add(double.IsNaN(number)
                ? "when x.n is not null then case when x.n = 'NaN'::float8 then 0 else 1 end"
                : $"when x.n is not null then case when x.n = 'NaN'::float8 then -1 when x.n < {Double(number)} then -1 when x.n > {Double(number)} then 1 else 0 end");
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            f.Timestamp = true;
            var seconds = (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (decimal)TimeSpan.TicksPerSecond;
            branches.Add($"when x.d is not null then sign(x.d - {Decimal(seconds)})::int");
        }
        var e = Text(text);
        branches.Add($"when x.u collate \"C\" < upper({e}) collate \"C\" then -1 when x.u collate \"C\" > upper({e}) collate \"C\" then 1 else 0");
        return $"exists (select 1 from unnest({f.Alias}.k, {f.Alias}.n, {f.Alias}.d, {f.Alias}.u) as x(k, n, d, u) " +
               $"where (case {string.Join(" ", branches)} end) {sign})";
    }

    /// <summary>
    /// The lateral join that reads one field into arrays, one entry per item: <c>k</c> its JSON kind, <c>n</c> its
    /// number (<c>FieldValue.AsNumber</c>), <c>u</c> its text upper-cased (<c>FieldValue.AsText</c>), <c>d</c> its
    /// timestamp in seconds since 1970; only the columns the comparisons use are computed.
    /// </summary>
    private static string Read(FieldRead f) => $"""
        left join lateral (
          select array_agg(a.k) as k,
                 {(f.Number ? NumberOfItem : "null::float8[]")} as n,
                 {(f.Text ? TextOfItem : "null::text[]")} as u,
                 {(f.Timestamp ? TimestampOfItem : "null::numeric[]")} as d
          from jsonb_array_elements(case when jsonb_typeof({f.Json}) = 'array' then {f.Json} else jsonb_build_array({f.Json}) end) as e(x)
          cross join lateral (select jsonb_typeof(e.x) as k, e.x #>> {Root} as t) a
          {(f.Number || f.Text ? NumberLayers : "")}
          {(f.Timestamp ? TimestampLayers : "")}
        ) {f.Alias} on true
        """;

    /// <summary>
    /// Pieces of an item's text, for the expressions below: <c>nf</c> splits jsonb's plain decimal text of a number,
    /// <c>sq</c> a string that reads as a number (sign, significant digits, decimal exponent). Only string functions:
    /// they cannot fail on any text, and PostgreSQL inlines them where they are used.
    /// </summary>
    private const string NumberLayers = $$"""
        cross join lateral (select case when left(a.t, 1) = '-' then '-' else '' end as neg, replace(ltrim(a.t, '-'), '.', '') as digits,
                                   length(split_part(ltrim(a.t, '-'), '.', 1)) as whole) nd
          cross join lateral (select nd.neg, rtrim(ltrim(nd.digits, '0'), '0') as sig, nd.whole - (length(nd.digits) - length(ltrim(nd.digits, '0'))) as s) nf
          cross join lateral (select lower(btrim(a.t, {{WsChars}})) as b) sb
          cross join lateral (select case when left(sb.b, 1) = '-' then -1::float8 else 1::float8 end as sgn,
                                     replace(ltrim(split_part(sb.b, 'e', 1), '+-'), '.', '') as digits,
                                     length(split_part(ltrim(split_part(sb.b, 'e', 1), '+-'), '.', 1)) as whole,
                                     ltrim(ltrim(split_part(sb.b, 'e', 2), '+-'), '0') as edig, left(split_part(sb.b, 'e', 2), 1) = '-' as eneg) sp
          cross join lateral (select sp.sgn, rtrim(ltrim(sp.digits, '0'), '0') as sig, length(sp.edig) > 9 as huge, sp.eneg,
                                     sp.whole - (length(sp.digits) - length(ltrim(sp.digits, '0')))
                                       + case when sp.edig ~ '^[0-9]{1,9}$' then (case when sp.eneg then -1 else 1 end) * sp.edig::bigint else 0 end as s) sq
        """;

    /// <summary>
    /// <c>double.TryParse</c>: its syntax, and its rounding, where what lies beyond float8's range becomes infinity or
    /// zero (PostgreSQL would refuse it): short plain numbers are cast at once, others placed by their decimal exponent first.
    /// </summary>
    private static readonly string NumberOfItem = $"""
        array_agg(case a.k
                    when 'number' then a.t::float8
                    when 'string' then case
                      when a.t ~ '{PlainNumber}' then a.t::float8
                      when a.t ~ '{AnyNumber}' then case
                        when sq.sig = '' then 0::float8
                        when sq.huge then case when sq.eneg then 0::float8 else sq.sgn * 'Infinity'::float8 end
                        when sq.s > 310 then sq.sgn * 'Infinity'::float8
                        when sq.s < -330 then 0::float8
                        when sq.s between -300 and 300 then a.t::float8
                        when {Normalised} >= {Overflow} then sq.sgn * 'Infinity'::float8
                        when {Normalised} <= {Underflow} then 0::float8
                        else sq.sgn * {Normalised}::float8 end
                      when a.t ~* '^{Ws}[+-]?nan{Ws}$' then 'NaN'::float8
                      when a.t ~* '^{Ws}\+?infinity{Ws}$' then 'Infinity'::float8
                      when a.t ~* '^{Ws}-infinity{Ws}$' then '-Infinity'::float8
                    end
                  end)
        """;

    /// <summary>The magnitude as <c>0.digits e scale</c>, cut after 800 digits with a sticky 1: enough to round as the full text would.</summary>
    private const string Normalised = "('0.' || left(sq.sig, 800) || case when length(sq.sig) > 800 then '1' else '' end || 'e' || sq.s)::numeric";

    /// <summary>
    /// <c>FieldValue.AsText</c>, upper-cased: a string as it is, a boolean as true/false, a number as
    /// <c>double.ToString(CultureInfo.InvariantCulture)</c> writes it (from jsonb's plain text of the digits .NET
    /// wrote): fixed notation unless the exponent is below -5 or the digits before the point would exceed max(17, digits).
    /// </summary>
    private const string TextOfItem = """
        array_agg(upper(case a.k
                    when 'string' then a.t
                    when 'boolean' then a.t
                    when 'number' then case when nf.sig = '' then '0' else nf.neg || case
                      when nf.s > greatest(length(nf.sig), 17) or nf.s < -3 then
                        left(nf.sig, 1) || case when length(nf.sig) > 1 then '.' || substr(nf.sig, 2) else '' end
                        || 'E' || case when nf.s - 1 < 0 then '-' else '+' end || case when abs(nf.s - 1) < 10 then '0' else '' end || abs(nf.s - 1)::text
                      when nf.s <= 0 then '0.' || repeat('0', -nf.s) || nf.sig
                      when nf.s >= length(nf.sig) then nf.sig || repeat('0', nf.s - length(nf.sig))
                      else left(nf.sig, nf.s) || '.' || substr(nf.sig, nf.s + 1) end end
                  end))
        """;

    /// <summary>Pieces of an ISO 8601 text (upper-cased, 'T' between date and time, 'Z' dropped): date, clock, offset sign and offset.</summary>
    private const string TimestampLayers = """
        cross join lateral (select replace(upper(btrim(a.t, ' ')), ' ', 'T') as iso) ia
          cross join lateral (select split_part(ia.iso, 'T', 1) as day, rtrim(split_part(ia.iso, 'T', 2), 'Z') as clock) ib
          cross join lateral (select case when strpos(ib.clock, '+') > 0 then '+' when strpos(ib.clock, '-') > 0 then '-' end as osign) ic
          cross join lateral (select replace(case when ic.osign is null then ib.clock else split_part(ib.clock, ic.osign, 1) end, ',', '.') as clock,
                                     replace(case when ic.osign is null then '' else split_part(ib.clock, ic.osign, 2) end, ':', '') as off) id
          cross join lateral (select split_part(ib.day, '-', 1) as y, split_part(ib.day, '-', 2) as mo, coalesce(nullif(split_part(ib.day, '-', 3), ''), '1') as dd,
                                     coalesce(nullif(split_part(id.clock, ':', 1), ''), '0') as h, coalesce(nullif(split_part(id.clock, ':', 2), ''), '0') as mi,
                                     coalesce(nullif(split_part(split_part(id.clock, ':', 3), '.', 1), ''), '0') as sec, split_part(split_part(id.clock, ':', 3), '.', 2) as frac,
                                     coalesce(nullif(left(id.off, 2), ''), '0') as oh, coalesce(nullif(substr(id.off, 3, 2), ''), '0') as om,
                                     case when ic.osign = '-' then -1 else 1 end as osign) ie
        """;

    /// <summary>
    /// Seconds since 1970 of an ISO 8601 text (UTC unless it names an offset; seven decimals, as .NET's ticks), or
    /// null when it names no moment .NET can hold: February 30th, an offset beyond 14 hours, a year outside 1-9999.
    /// </summary>
    private static readonly string TimestampOfItem = $"""
        array_agg(case when a.k = 'string' and a.t ~ '{IsoTimestamp}' then case
                    when not (ie.y::int between 1 and 9999 and ie.mo::int between 1 and 12 and ie.dd::int >= 1 and ie.h::int <= 23
                              and ie.mi::int <= 59 and ie.sec::int <= 59 and ie.oh::int <= 14 and ie.om::int <= 59 and ie.oh::int * 60 + ie.om::int <= 840) then null
                    when ie.dd::int > extract(day from make_date(ie.y::int, ie.mo::int, 1) + interval '1 month' - interval '1 day') then null
                    when {Seconds} < -62135596800 or {Seconds} >= 253402300800 then null
                    else {Seconds} end
                  end)
        """;

    private const string Seconds =
        "(extract(epoch from make_timestamp(ie.y::int, ie.mo::int, ie.dd::int, ie.h::int, ie.mi::int, 0)) + ie.sec::int + ('0.' || ie.frac || '0')::numeric " +
        "- ie.osign * (ie.oh::int * 3600 + ie.om::int * 60))";

    private string Text(string value) => Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = value });

    private string Double(double value) => Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Double, Value = value });

    private string Decimal(decimal value) => Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Numeric, Value = value });

    private string Add(NpgsqlParameter parameter)
    {
        parameter.ParameterName = _prefix + _parameters.Count.ToString(CultureInfo.InvariantCulture);
        _parameters.Add(parameter);
        return "@" + parameter.ParameterName;
    }
}
