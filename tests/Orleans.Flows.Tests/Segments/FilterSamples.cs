using System.Collections.Immutable;
using System.Text.Json;
using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;
using Orleans.Flows.Values;

namespace Orleans.Flows.Tests.Segments;

/// <summary>
/// Varied contacts and segment filters for comparing a directory with <c>ConditionEvaluator</c>: values of every
/// kind, in mixed case, numbers written as strings, timestamps, arrays, missing and null fields, and filters that
/// use every operator and all, any and not. Seeded, so a failure repeats.
/// </summary>
internal static class FilterSamples
{
    public static readonly ImmutableArray<FieldValue> Strings =
    [
        S("customer"), S("Customer"), S("CUSTOMER"), S("lead"), S("pro"), S("Pro"), S("enterprise"), S(""), S(" "),
        S("42"), S(" 42 "), S("042"), S("4.2e1"), S("42.0"), S("-7"), S("+.5"), S("5."), S("1e400"), S("-1e400"), S("1e-400"),
        S("NaN"), S("nan"), S("Infinity"), S("-infinity"), S("0x10"), S("1;5"), S("e5"), S("abc"), S("Abc"), S("zebra"),
        S("Ærø"), S("ærø"), S("straße"), S("STRASSE"), S("Zürich"), S("😀 smile"), S("true"), S("FALSE"),
        S("1.7976931348623159e308"), S("2.4703282292062328e-324"), S("9007199254740993"), S("12345678901234567890123"),
        S("2024-05-01"), S("2024-05-01T10:00:00Z"), S("2024-05-01T12:00:00+02:00"), S("2024-05-01 09:30"), S("2023-12-31T23:59:59.9999999Z"),
        S("2024-02-29"), S("2024-02-30"), S("2024-1-2"), S("2024-03"), S("2024-05-01t10:00z"), S("2024-05-01T10:00:00,25-01:30"),
    ];

    public static readonly ImmutableArray<FieldValue> Numbers =
    [
        N(0), N(1), N(2), N(42), N(42.5), N(-7), N(0.1), N(1e-5), N(0.0001), N(1e16), N(1e17), N(1.2345678901234568E+17), N(1e21),
        N(123456789), N(3.14159), N(-1e300), N(5e-324), N(1.7976931348623157e308), N(20240501),
    ];

    public static readonly ImmutableArray<FieldValue> Others =
    [
        FieldValue.Of(true), FieldValue.Of(false), FieldValue.Null,
        FieldValue.Of([]), FieldValue.Of([S("vip"), S("B2B")]), FieldValue.Of([N(1), S("2"), FieldValue.Null]), FieldValue.Of([FieldValue.Of(true)]),
        FieldValue.Of([S("Customer"), S("lead")]), FieldValue.Of([N(42), N(43)]), FieldValue.Of([S("2024-05-01"), S("")]),
    ];

    public static readonly ImmutableArray<FieldValue> AnyValue = [.. Strings, .. Numbers, .. Others];

    private static readonly string[] Tags = ["vip", "VIP", "newsletter", "beta-tester", "Ærø", "b2b", "42", ""];
    private static readonly string?[] Companies = ["Acme", "acme", "ACME Corp", "Ærø Shipping", "Zeta", "", null];
    private static readonly string[] Attributes = ["category", "score", "plan", "joined", "flag", "mixed", "list"];
    private static readonly string[] IdChars = ["a", "A", "b", "Z", "0", "9", ".", "-", "_", ":", "@"];

    /// <summary>Contacts with distinct ids made of every character an id may hold, so that ordinal order matters.</summary>
    public static List<Contact> Contacts(int count, int seed)
    {
        var random = new Random(seed);
        var contacts = new List<Contact>(count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (contacts.Count < count)
        {
            var id = "c" + string.Concat(Enumerable.Range(0, random.Next(1, 5)).Select(_ => IdChars[random.Next(IdChars.Length)])) + random.Next(1000);
            if (!ids.Add(id)) continue;
            var attributes = ImmutableSortedDictionary.CreateBuilder<string, FieldValue>(StringComparer.Ordinal);
            foreach (var name in Attributes)
            {
                if (random.NextDouble() < 0.3) continue;
                attributes[name] = name switch
                {
                    "category" or "plan" => Pick(random, Strings),
                    "score" => random.Next(2) == 0 ? Pick(random, Numbers) : Pick(random, Strings),
                    "flag" => Pick(random, Others),
                    "list" => Pick(random, Others),
                    _ => Pick(random, AnyValue),
                };
            }
            contacts.Add(new Contact
            {
                Id = id,
                Email = random.Next(5) == 0 ? null : $"{id}@{(random.Next(2) == 0 ? "Example.com" : "mail.test")}",
                Phone = random.Next(2) == 0 ? null : "+47" + random.Next(10_000_000, 99_999_999),
                Company = Companies[random.Next(Companies.Length)],
                FirstName = random.Next(4) == 0 ? null : Pick(random, ["Ada", "ada", "Grace", "Åse", "Øystein", "alan", "Zoë"]),
                LastName = random.Next(4) == 0 ? null : Pick(random, ["Lovelace", "hopper", "Turing", "Møller", "müller", "MÜLLER", "de Vries"]),
                TimeZone = random.Next(3) == 0 ? null : Pick(random, ["Europe/Oslo", "UTC", "America/New_York"]),
                Attributes = attributes.ToImmutable(),
                Tags = [.. Tags.Where(_ => random.NextDouble() < 0.25).Where(t => t.Length > 0 || random.Next(4) == 0)],
            });
        }
        return contacts;
    }

    /// <summary>Filters a marketer would write, between them using every operator, on every kind of value, with all, any and not.</summary>
    public static readonly ImmutableArray<string> Handwritten =
    [
        """{"attribute": "attributes.category", "op": "eq", "value": "customer"}""",
        """{"attribute": "attributes.category", "op": "ne", "value": "customer"}""",
        """{"attribute": "attributes.category", "op": "eq", "value": ""}""",
        """{"attribute": "attributes.plan", "op": "in", "value": ["pro", "Enterprise", 42, null]}""",
        """{"attribute": "company", "op": "notIn", "value": ["acme", "Ærø Shipping"]}""",
        """{"attribute": "email", "op": "contains", "value": "EXAMPLE"}""",
        """{"attribute": "tags", "op": "contains", "value": "vi"}""",
        """{"attribute": "attributes.score", "op": "contains", "value": "2"}""",
        """{"attribute": "attributes.mixed", "op": "contains", "value": "E+"}""",
        """{"attribute": "firstName", "op": "startsWith", "value": "a"}""",
        """{"attribute": "attributes.joined", "op": "startsWith", "value": "2024"}""",
        """{"attribute": "phone", "op": "exists"}""",
        """{"attribute": "attributes.flag", "op": "notExists"}""",
        """{"attribute": "tags", "op": "exists"}""",
        """{"attribute": "attributes.score", "op": "gt", "value": 40}""",
        """{"attribute": "attributes.score", "op": "gte", "value": 42}""",
        """{"attribute": "attributes.score", "op": "lt", "value": "1e3"}""",
        """{"attribute": "attributes.score", "op": "lte", "value": -7}""",
        """{"attribute": "attributes.score", "op": "eq", "value": 42}""",
        """{"attribute": "attributes.mixed", "op": "gt", "value": "2024-03-01"}""",
        """{"attribute": "attributes.mixed", "op": "lt", "value": "2024-05-01T11:00:00+01:00"}""",
        """{"attribute": "attributes.mixed", "op": "gt", "value": "NaN"}""",
        """{"attribute": "attributes.mixed", "op": "lt", "value": "Infinity"}""",
        """{"attribute": "attributes.mixed", "op": "gte", "value": "m"}""",
        """{"attribute": "lastName", "op": "gt", "value": "m"}""",
        """{"attribute": "company", "op": "lte", "value": "b"}""",
        """{"attribute": "attributes.flag", "op": "eq", "value": true}""",
        """{"attribute": "attributes.list", "op": "eq", "value": 2}""",
        """{"attribute": "attributes.list", "op": "in", "value": [null]}""",
        """{"attribute": "tags", "op": "ne", "value": "vip"}""",
        """{"attribute": "tags", "op": "startsWith", "value": "B"}""",
        """{"attribute": "timeZone", "op": "eq", "value": "utc"}""",
        """
        {"all": [{"any": [{"attribute": "tags", "op": "eq", "value": "vip"}, {"attribute": "attributes.plan", "op": "eq", "value": "pro"}]},
                 {"not": {"attribute": "email", "op": "notExists"}},
                 {"not": {"any": [{"attribute": "attributes.score", "op": "lt", "value": 10}, {"attribute": "company", "op": "startsWith", "value": "z"}]}}]}
        """,
        """
        {"any": [{"all": [{"attribute": "attributes.category", "op": "in", "value": ["lead", "customer"]}, {"attribute": "tags", "op": "notIn", "value": ["b2b"]}]},
                 {"not": {"not": {"attribute": "attributes.joined", "op": "gte", "value": "2024-05-01T10:00:00Z"}}}]}
        """,
    ];

    public static Condition Parse(string json) => JsonSerializer.Deserialize<Condition>(json, FlowJson.Options)!;

    /// <summary>Random attribute conditions, combined up to three levels deep.</summary>
    public static List<Condition> RandomFilters(int count, int seed)
    {
        var random = new Random(seed);
        var fields = AttributeCondition.Fields.Concat(Attributes.Select(a => "attributes." + a)).Append("attributes.unknown").ToArray();
        var ops = Enum.GetValues<ConditionOp>();
        Condition Leaf()
        {
            var op = ops[random.Next(ops.Length)];
            var value = op switch
            {
                ConditionOp.Exists or ConditionOp.NotExists => FieldValue.Null,
                ConditionOp.In or ConditionOp.NotIn => FieldValue.Of(Enumerable.Range(0, random.Next(0, 4)).Select(_ => Scalar())),
                _ => Scalar(),
            };
            return new AttributeCondition { Attribute = fields[random.Next(fields.Length)], Op = op, Value = value };
        }
        FieldValue Scalar()
        {
            var value = Pick(random, AnyValue);
            return value.Kind is FieldValueKind.Array or FieldValueKind.Null ? Pick(random, Strings) : value;
        }
        Condition Node(int depth) => depth >= 3 || random.Next(3) == 0
            ? Leaf()
            : random.Next(3) switch
            {
                0 => new AllCondition { All = [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => Node(depth + 1))] },
                1 => new AnyCondition { Any = [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => Node(depth + 1))] },
                _ => new NotCondition { Not = Node(depth + 1) },
            };
        return [.. Enumerable.Range(0, count).Select(_ => Node(0))];
    }

    private static FieldValue S(string text) => FieldValue.Of(text);

    private static FieldValue N(double number) => FieldValue.Of(number);

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
