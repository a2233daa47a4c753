using Microsoft.Extensions.DependencyInjection;
using Orleans.Flows.Tests.Infrastructure;
using Orleans.TestingHost;

namespace Orleans.Flows.Tests.Durable;

/// <summary>
/// The reminder queries of the project's schema against the real database, through a silo's <see cref="IReminderTable"/>
/// (the ADO.NET reminder table). The reminders belong to a grain type no silo has and start a day from now, so the
/// cluster's own reminder service never fires them.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReminderTableContractTests(PostgresServer postgres, ContractCluster shared) : IClassFixture<ContractCluster>, IAsyncLifetime
{
    private const string GrainType = "contract-reminder";
    private IReminderTable _table = null!;

    public async Task InitializeAsync()
    {
        var cluster = await shared.GetAsync(postgres, "reminders");
        _table = cluster.Silos.OfType<InProcessSiloHandle>().First().ServiceProvider.GetRequiredService<IReminderTable>();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task UpsertReadAndRemoveAreVersioned()
    {
        var id = NewGrain();
        var start = Tomorrow();

        var firstETag = await _table.UpsertRow(Entry(id, "wake", start, TimeSpan.FromMinutes(1)));

        Assert.False(string.IsNullOrEmpty(firstETag));
        var read = await _table.ReadRow(id, "wake");
        Assert.NotNull(read);
        Assert.Equal(id, read.GrainId);
        Assert.Equal("wake", read.ReminderName);
        Assert.Equal(start, read.StartAt);
        Assert.Equal(DateTimeKind.Utc, read.StartAt.Kind);
        Assert.Equal(TimeSpan.FromMinutes(1), read.Period);
        Assert.Equal(firstETag, read.ETag);

        var secondETag = await _table.UpsertRow(Entry(id, "wake", start.AddHours(1), TimeSpan.FromMinutes(5)));

        Assert.False(string.IsNullOrEmpty(secondETag));
        Assert.NotEqual(firstETag, secondETag);
        read = await _table.ReadRow(id, "wake");
        Assert.Equal(start.AddHours(1), read?.StartAt);
        Assert.Equal(TimeSpan.FromMinutes(5), read?.Period);
        Assert.Equal(secondETag, read?.ETag);

        Assert.False(await _table.RemoveRow(id, "wake", firstETag));
        Assert.NotNull(await _table.ReadRow(id, "wake"));

        Assert.True(await _table.RemoveRow(id, "wake", secondETag));
        Assert.Null(await _table.ReadRow(id, "wake"));
        Assert.False(await _table.RemoveRow(id, "wake", secondETag));
    }

    [Fact]
    public async Task ReadRowsOfAGrainListsExactlyItsReminders()
    {
        var grain = NewGrain();
        var other = NewGrain();
        foreach (var name in new[] { "a", "b", "c" })
            await _table.UpsertRow(Entry(grain, name, Tomorrow(), TimeSpan.FromHours(1)));
        await _table.UpsertRow(Entry(other, "a", Tomorrow(), TimeSpan.FromHours(1)));

        var rows = (await _table.ReadRows(grain)).Reminders;

        Assert.Equal(["a", "b", "c"], rows.Select(r => r.ReminderName).Order());
        Assert.All(rows, r => Assert.Equal(grain, r.GrainId));
        Assert.Single((await _table.ReadRows(other)).Reminders);
        Assert.Empty((await _table.ReadRows(NewGrain())).Reminders);
        Assert.Null(await _table.ReadRow(grain, "missing"));
    }

    [Fact]
    public async Task PeriodsLongerThanAnIntOfMillisecondsRoundTrip()
    {
        var id = NewGrain();
        var thirtyDays = TimeSpan.FromDays(30);
        var oneYear = TimeSpan.FromDays(365);
        Assert.True(thirtyDays.TotalMilliseconds > int.MaxValue);

        await _table.UpsertRow(Entry(id, "monthly", Tomorrow(), thirtyDays));
        await _table.UpsertRow(Entry(id, "yearly", Tomorrow(), oneYear));
        await _table.UpsertRow(Entry(id, "short", Tomorrow(), TimeSpan.FromMilliseconds(1500)));

        Assert.Equal(thirtyDays, (await _table.ReadRow(id, "monthly"))?.Period);
        Assert.Equal(oneYear, (await _table.ReadRow(id, "yearly"))?.Period);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), (await _table.ReadRow(id, "short"))?.Period);

        // A long period can also replace a short one, and back.
        await _table.UpsertRow(Entry(id, "short", Tomorrow(), thirtyDays));
        Assert.Equal(thirtyDays, (await _table.ReadRow(id, "short"))?.Period);
    }

    [Fact]
    public async Task AStartTimeOfUnspecifiedKindIsStoredAsUtc()
    {
        var id = NewGrain();
        var utc = Tomorrow();

        await _table.UpsertRow(Entry(id, "unspecified", DateTime.SpecifyKind(utc, DateTimeKind.Unspecified), TimeSpan.FromHours(1)));

        var read = await _table.ReadRow(id, "unspecified");
        Assert.Equal(utc, read?.StartAt);
        Assert.Equal(DateTimeKind.Utc, read?.StartAt.Kind);
    }

    [Fact]
    public async Task ARangeReadReturnsTheGrainsWhoseHashIsInTheRingRange()
    {
        // Grains with hashes in every quarter of the ring, so that ranges within the lower (signed positive) half,
        // within the upper (signed negative) half, across the sign boundary and wrapping past zero are all tried.
        var nonce = TestIds.New("ring");
        var grains = new List<(GrainId Id, uint Hash)>();
        for (var i = 0; i < 2000 && (grains.Count < 32 || Enumerable.Range(0, 4).Any(q => grains.Count(g => g.Hash >> 30 == q) < 3)); i++)
        {
            var id = GrainId.Create(GrainType, $"{nonce}-{i}");
            grains.Add((id, id.GetUniformHashCode()));
        }
        await Task.WhenAll(grains.Select(g => _table.UpsertRow(Entry(g.Id, "ring", Tomorrow(), TimeSpan.FromHours(1)))));
        var mine = grains.Select(g => g.Id).ToHashSet();

        // Bounds: two hashes of each quarter (so both the exclusive begin and the inclusive end land on a grain),
        // and the ends of the ring.
        var bounds = Enumerable.Range(0, 4)
            .SelectMany(q => grains.Where(g => g.Hash >> 30 == q).Select(g => g.Hash).Order().Take(2))
            .Concat([0u, uint.MaxValue, 0x7FFFFFFFu, 0x80000000u])
            .ToArray();
        var tried = 0;
        foreach (var begin in bounds)
        {
            foreach (var end in bounds)
            {
                var expected = grains.Where(g => InRange(g.Hash, begin, end)).Select(g => g.Id.ToString()).Order().ToArray();

                var rows = (await _table.ReadRows(begin, end)).Reminders;

                var actual = rows.Where(r => mine.Contains(r.GrainId)).Select(r => r.GrainId.ToString()).Order().ToArray();
                Assert.True(expected.SequenceEqual(actual),
                    $"range ({begin:x8}, {end:x8}]: expected {expected.Length} grains, got {actual.Length}; " +
                    $"missing [{string.Join(", ", expected.Except(actual))}], unexpected [{string.Join(", ", actual.Except(expected))}]");
                tried++;
            }
        }
        Assert.True(tried >= 100);
    }

    /// <summary>The ring range (begin, end]: it wraps past zero when begin is not below end, and is the whole ring when they are equal.</summary>
    private static bool InRange(uint hash, uint begin, uint end) => begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    private static GrainId NewGrain() => GrainId.Create(GrainType, TestIds.New("reminder"));

    private static ReminderEntry Entry(GrainId id, string name, DateTime start, TimeSpan period) =>
        new() { GrainId = id, ReminderName = name, StartAt = start, Period = period };

    /// <summary>A day from now in UTC, to the millisecond (PostgreSQL keeps microseconds).</summary>
    private static DateTime Tomorrow()
    {
        var ticks = DateTime.UtcNow.AddDays(1).Ticks;
        return new DateTime(ticks - ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }
}
