using Microsoft.Extensions.DependencyInjection;
using Orleans.Flows.Tests.Infrastructure;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Orleans.Flows.Tests.Durable;

/// <summary>
/// The grain storage queries of the project's schema (ReadFromStorageKey, WriteToStorageKey, ClearStorageKey) against
/// the real database, through the participants' storage with <c>Storage:Participants=adoNet</c> (the ADO.NET storage
/// behind the key-preserving wrapper) and, where the identity columns matter, the ADO.NET storage itself.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GrainStorageContractTests(PostgresServer postgres, ContractCluster shared) : IClassFixture<ContractCluster>, IAsyncLifetime
{
    private const string StateName = "contract";
    private IGrainStorage _flows = null!;
    private IGrainStorage _adoNet = null!;

    public async Task InitializeAsync()
    {
        var cluster = await shared.GetAsync(postgres, "storage", new Dictionary<string, string?> { ["Storage:Participants"] = "adoNet" });
        var services = cluster.Silos.OfType<InProcessSiloHandle>().First().ServiceProvider;
        _flows = services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Participants);
        _adoNet = services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Flows + "-adonet");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task WritesAreVersionedAndAStaleETagIsRejected()
    {
        var id = NewGrain();
        var first = State("one");

        await _flows.WriteStateAsync(StateName, id, first);

        Assert.False(string.IsNullOrEmpty(first.ETag));
        Assert.True(first.RecordExists);
        var read = await ReadAsync(_flows, id);
        Assert.True(read.RecordExists);
        Assert.Equal(first.ETag, read.ETag);
        Assert.Equal("one", read.State!.Text);

        var staleETag = read.ETag;
        read.State = new Note { Text = "two", Count = 2 };
        await _flows.WriteStateAsync(StateName, id, read);
        Assert.NotEqual(staleETag, read.ETag);

        var stale = new GrainState<Note>(new Note { Text = "lost" }, staleETag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => _flows.WriteStateAsync(StateName, id, stale));

        var after = await ReadAsync(_flows, id);
        Assert.Equal("two", after.State!.Text);
        Assert.Equal(2, after.State!.Count);
        Assert.Equal(read.ETag, after.ETag);

        after.State = new Note { Text = "three" };
        await _flows.WriteStateAsync(StateName, id, after);
        Assert.Equal("three", (await ReadAsync(_flows, id)).State!.Text);
    }

    [Fact]
    public async Task AFirstWriteWhenTheRowExistsIsAConflict()
    {
        var id = NewGrain();
        await _flows.WriteStateAsync(StateName, id, State("kept"));

        await Assert.ThrowsAsync<InconsistentStateException>(() => _flows.WriteStateAsync(StateName, id, State("second first write")));

        Assert.Equal("kept", (await ReadAsync(_flows, id)).State!.Text);
    }

    [Fact]
    public async Task ClearingKeepsTheRowWithANewVersionThatTheNextWriteUses()
    {
        var id = NewGrain();
        var state = State("before clear");
        await _flows.WriteStateAsync(StateName, id, state);
        var written = state.ETag;

        await _flows.ClearStateAsync(StateName, id, state);

        Assert.False(state.RecordExists);
        Assert.False(string.IsNullOrEmpty(state.ETag));
        Assert.NotEqual(written, state.ETag);
        var read = await ReadAsync(_flows, id);
        Assert.False(read.RecordExists);
        Assert.Equal(state.ETag, read.ETag);
        Assert.Equal("", read.State!.Text);

        // A clear with the ETag from before it is stale.
        var stale = new GrainState<Note>(new Note(), written) { RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => _flows.ClearStateAsync(StateName, id, stale));

        // So is a first write: the cleared row is still there.
        await Assert.ThrowsAsync<InconsistentStateException>(() => _flows.WriteStateAsync(StateName, id, State("blind")));

        state.State = new Note { Text = "after clear" };
        await _flows.WriteStateAsync(StateName, id, state);
        var again = await ReadAsync(_flows, id);
        Assert.True(again.RecordExists);
        Assert.Equal("after clear", again.State!.Text);
        Assert.Equal(state.ETag, again.ETag);
    }

    [Fact]
    public async Task OfTwoConcurrentFirstWritesOnlyOneWins()
    {
        // A string key through the wrapper, and an integer key through the ADO.NET storage itself: its identity has no
        // key extension (NULL), which the unique index must still treat as one identity.
        var stringKeyed = NewGrain();
        var integerKeyed = GrainId.Create("contract-grain", Random.Shared.NextInt64(1, long.MaxValue).ToString("x"));

        foreach (var (storage, id) in new[] { (_flows, stringKeyed), (_adoNet, integerKeyed) })
        {
            var writers = Enumerable.Range(0, 4).Select(i => State($"writer {i}")).ToArray();
            var outcomes = await Task.WhenAll(writers.Select(async w =>
            {
                try
                {
                    await storage.WriteStateAsync(StateName, id, w);
                    return true;
                }
                catch (InconsistentStateException)
                {
                    return false;
                }
            }));

            Assert.Equal(1, outcomes.Count(won => won));
            var winner = writers[Array.IndexOf(outcomes, true)];
            var read = await ReadAsync(storage, id);
            Assert.Equal(winner.State!.Text, read.State!.Text);
            Assert.Equal(winner.ETag, read.ETag);
        }
    }

    [Fact]
    public async Task KeysThatReadAsTheSameNumberOrGuidKeepTheirOwnState()
    {
        var digits = string.Concat(Enumerable.Range(0, 6).Select(_ => (char)('1' + Random.Shared.Next(9))));
        var guid = Guid.NewGuid().ToString("N");
        (string A, string B)[] pairs = [(digits, "0" + digits), (guid, guid.ToUpperInvariant())];

        foreach (var (a, b) in pairs)
        {
            var first = GrainId.Create("contract-grain", a);
            var second = GrainId.Create("contract-grain", b);
            await _flows.WriteStateAsync(StateName, first, State(a));
            await _flows.WriteStateAsync(StateName, second, State(b));

            Assert.Equal(a, (await ReadAsync(_flows, first)).State!.Text);
            Assert.Equal(b, (await ReadAsync(_flows, second)).State!.Text);
        }
    }

    [Fact]
    public async Task WithoutTheWrapperSuchKeysWouldShareARow()
    {
        // Why the engine wraps the ADO.NET storage: the provider itself reads these keys as one number or one GUID.
        var digits = string.Concat(Enumerable.Range(0, 6).Select(_ => (char)('1' + Random.Shared.Next(9))));
        var guid = Guid.NewGuid().ToString("N");
        (string A, string B)[] pairs = [(digits, "0" + digits), (guid, guid.ToUpperInvariant())];

        foreach (var (a, b) in pairs)
        {
            await _adoNet.WriteStateAsync("unwrapped", GrainId.Create("contract-grain", a), State(a));

            var other = new GrainState<Note>();
            await _adoNet.ReadStateAsync("unwrapped", GrainId.Create("contract-grain", b), other);
            Assert.True(other.RecordExists);
            Assert.Equal(a, other.State!.Text);
        }
    }

    [Fact]
    public async Task TwoStateNamesOfOneGrainKeepTheirOwnState()
    {
        var id = NewGrain();
        await _flows.WriteStateAsync("first", id, State("first"));
        await _flows.WriteStateAsync("second", id, State("second"));

        var first = new GrainState<Note>();
        await _flows.ReadStateAsync("first", id, first);
        var second = new GrainState<Note>();
        await _flows.ReadStateAsync("second", id, second);

        Assert.Equal("first", first.State!.Text);
        Assert.Equal("second", second.State!.Text);
        await _flows.ClearStateAsync("first", id, first);
        second.State = new Note { Text = "second, again" };
        await _flows.WriteStateAsync("second", id, second);
        Assert.Equal("second, again", (await ReadAsync(_flows, id, "second")).State!.Text);
        Assert.False((await ReadAsync(_flows, id, "first")).RecordExists);
    }

    private static GrainId NewGrain() => GrainId.Create("contract-grain", TestIds.New("storage"));

    private static GrainState<Note> State(string text) => new(new Note { Text = text });

    private static async Task<GrainState<Note>> ReadAsync(IGrainStorage storage, GrainId id, string stateName = StateName)
    {
        var state = new GrainState<Note>();
        await storage.ReadStateAsync(stateName, id, state);
        return state;
    }

    public sealed class Note
    {
        public string Text { get; set; } = "";

        public int Count { get; set; }
    }
}
