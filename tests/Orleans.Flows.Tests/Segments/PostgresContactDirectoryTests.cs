using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;
using Orleans.Flows.Hosting;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Silo;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Segments;

/// <summary>
/// Durable mode's directory selects exactly the contacts that <c>ConditionEvaluator</c> selects: a few hundred varied
/// contacts stored as the engine stores them (plus erased ones and rows of other grains), every operator on every
/// kind of value, paged by id in small pages.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresContactDirectoryTests(PostgresServer postgres, SampleContactsDatabase samples) : IClassFixture<SampleContactsDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private List<Contact> _contacts = null!;
    private PostgresContactDirectory _directory = null!;

    public async Task InitializeAsync()
    {
        _directory = await samples.GetAsync(postgres);
        _contacts = samples.Contacts;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public static TheoryData<string> Handwritten() => [.. FilterSamples.Handwritten];

    [Theory]
    [MemberData(nameof(Handwritten))]
    public async Task HandwrittenFilterSelectsExactlyTheContactsTheEvaluatorSelects(string json)
    {
        var filter = FilterSamples.Parse(json);
        var expected = Expected(filter);
        Assert.True(expected.Count is > 0 and < 400 || json.Contains("notExists", StringComparison.Ordinal),
            $"a sample filter that selects {expected.Count} of 400 contacts tells little: {json}");

        foreach (var pageSize in new[] { 3, 1000 })
            await AssertSelectsAsync(filter, expected, pageSize);
    }

    [Fact]
    public async Task RandomFiltersSelectExactlyTheContactsTheEvaluatorSelects()
    {
        var mismatches = new List<string>();
        foreach (var filter in FilterSamples.RandomFilters(250, seed: 7))
        {
            var expected = Expected(filter);
            var actual = await AllPagesAsync(filter, 100);
            if (!expected.SequenceEqual(actual.Ids)) mismatches.Add(Describe(filter, expected, actual.Ids));
            else if (await _directory.CountAsync(filter) != expected.Count) mismatches.Add($"count differs for {JsonSerializer.Serialize(filter, FlowJson.Options)}");
            if (mismatches.Count >= 3) break;
        }
        Assert.True(mismatches.Count == 0, string.Join("\n\n", mismatches));
    }

    [Fact]
    public async Task ErasedContactsAndOtherGrainsAreNeverMembers()
    {
        var everyone = FilterSamples.Parse("""{"not": {"attribute": "attributes.unknown", "op": "exists"}}""");

        var members = await AllPagesAsync(everyone, 50);

        Assert.Equal(_contacts.Select(c => c.Id).Order(StringComparer.Ordinal), members.Ids);
        Assert.Empty(members.Ids.Intersect(samples.Erased));
        Assert.Equal(_contacts.Count, await _directory.CountAsync(everyone));
    }

    [Fact]
    public async Task PagesOfOneWalkTheMembersInOrdinalOrder()
    {
        var filter = FilterSamples.Parse("""{"any": [{"attribute": "tags", "op": "contains", "value": "VI"}, {"attribute": "attributes.score", "op": "gte", "value": "1e3"}]}""");
        var expected = Expected(filter);

        await AssertSelectsAsync(filter, expected, 1);
    }

    [Fact]
    public async Task PagingStartsAfterTheGivenIdEvenWhenThatIdIsNoMember()
    {
        var filter = FilterSamples.Parse("""{"attribute": "attributes.category", "op": "exists"}""");
        var expected = Expected(filter);
        var outsider = _contacts.Select(c => c.Id).Except(expected).Order(StringComparer.Ordinal).Skip(10).First();

        var page = await _directory.MatchAsync(filter, outsider, 5);

        Assert.Equal(expected.Where(id => string.CompareOrdinal(id, outsider) > 0).Take(5), page.ContactIds);
    }

    /// <summary>
    /// The samples stay where the database and .NET agree on what a timestamp is: .NET also reads forms such as
    /// "1/2" or "12.5" as dates of the current year, which the database does not (see <see cref="ContactFilterSql"/>).
    /// </summary>
    [Fact]
    public void SampleTextsThatDotNetReadsAsTimestampsAreIso8601()
    {
        var texts = FilterSamples.AnyValue.Concat(FilterSamples.AnyValue.SelectMany(v => v.Items))
            .Select(v => v.AsText()).OfType<string>().Distinct();
        var outside = texts.Where(t => DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _) &&
                                       !Regex.IsMatch(t, ContactFilterSql.IsoTimestamp)).ToList();
        Assert.Empty(outside);
    }

    private async Task AssertSelectsAsync(Condition filter, List<string> expected, int pageSize)
    {
        var actual = await AllPagesAsync(filter, pageSize);
        Assert.True(expected.SequenceEqual(actual.Ids), $"page size {pageSize}: " + Describe(filter, expected, actual.Ids));
        Assert.All(actual.Pages, p => Assert.True(p <= pageSize, $"a page of {p} ids for a limit of {pageSize}"));
        Assert.Equal(expected.Count, await _directory.CountAsync(filter));
    }

    private List<string> Expected(Condition filter) =>
        [.. _contacts.Where(c => ConditionEvaluator.Evaluate(filter, new ConditionScope(c, [], Now))).Select(c => c.Id).Order(StringComparer.Ordinal)];

    private async Task<(List<string> Ids, List<int> Pages)> AllPagesAsync(Condition filter, int pageSize)
    {
        var ids = new List<string>();
        var pages = new List<int>();
        string? after = null;
        do
        {
            var page = await _directory.MatchAsync(filter, after, pageSize);
            ids.AddRange(page.ContactIds);
            pages.Add(page.ContactIds.Length);
            if (page.NextAfter is not null) Assert.Equal(page.ContactIds[^1], page.NextAfter);
            after = page.NextAfter;
        }
        while (after is not null && pages.Count <= _contacts.Count + 1);
        return (ids, pages);
    }

    private string Describe(Condition filter, List<string> expected, List<string> actual)
    {
        string Show(string id) => _contacts.Find(c => c.Id == id) is { } c ? JsonSerializer.Serialize(c, FlowJson.Options) : id;
        var missing = expected.Except(actual).Take(3).Select(Show);
        var extra = actual.Except(expected).Take(3).Select(Show);
        return $"filter {JsonSerializer.Serialize(filter, FlowJson.Options)}: expected {expected.Count} ids, got {actual.Count}" +
               (expected.Order().SequenceEqual(actual.Order()) ? " (same ids, other order)" : "") +
               $"\n  missing: {string.Join("\n    ", missing)}\n  extra: {string.Join("\n    ", extra)}";
    }
}

/// <summary>
/// The sample contacts in a database of their own, stored as the engine stores them, shared by the tests of a
/// class; with erased contacts and rows of another grain type beside them.
/// </summary>
public sealed class SampleContactsDatabase : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlDataSource? _database;

    public List<Contact> Contacts { get; } = FilterSamples.Contacts(400, seed: 20260501);

    public List<string> Erased { get; } = [.. Enumerable.Range(0, 20).Select(i => $"erased-{i:00}")];

    public async Task<PostgresContactDirectory> GetAsync(PostgresServer postgres)
    {
        await _gate.WaitAsync();
        try
        {
            if (_database is null)
            {
                var database = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync("segment_filters_" + Guid.NewGuid().ToString("N")[..8]));
                var serializer = new FlowStateSerializer();
                var rows = new List<(string Type, string Key, string Json)>();
                rows.AddRange(Contacts.Select(c => ("contact", c.Id, serializer.Serialize(new ContactState { Contact = c, FlowIds = ["some-flow"] }).ToString())));
                // An erased contact keeps a row without a contact, or with a null one.
                rows.AddRange(Erased.Select((id, i) => ("contact", id, i % 2 == 0 ? serializer.Serialize(new ContactState()).ToString() : """{"contact": null, "events": []}""")));
                // Another grain type whose state happens to hold a contact-like object holds no contact.
                rows.AddRange(Contacts.Take(20).Select(c => ("participant", c.Id, serializer.Serialize(new ContactState { Contact = c }).ToString())));
                await using var insert = database.CreateCommand("""
                    insert into flows_grain_state (grain_type, grain_key, etag, data)
                    select t, k, 1, d::jsonb from unnest(@types, @keys, @data) as r(t, k, d)
                    """);
                insert.Parameters.AddWithValue("types", rows.Select(r => r.Type).ToArray());
                insert.Parameters.AddWithValue("keys", rows.Select(r => r.Key).ToArray());
                insert.Parameters.AddWithValue("data", rows.Select(r => r.Json).ToArray());
                await insert.ExecuteNonQueryAsync();
                _database = database;
            }
            return new PostgresContactDirectory(_database);
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
        _gate.Dispose();
    }
}
