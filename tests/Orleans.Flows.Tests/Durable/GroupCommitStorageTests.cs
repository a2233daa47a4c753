using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Flows.Tests.Infrastructure;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Orleans.Flows.Tests.Durable;

/// <summary>
/// The engine's default durable storage (<c>flows_grain_state</c>, writes of concurrent grains coalesced) keeps the
/// contract Orleans relies on: versioned writes, a stale writer refused, one winner of concurrent first writes, and
/// nothing mixed up when hundreds of grains write at the same moment.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GroupCommitStorageTests(PostgresServer postgres, ContractCluster shared) : IClassFixture<ContractCluster>, IAsyncLifetime
{
    private const string StateName = "contract-grain";
    private IGrainStorage _storage = null!;

    public async Task InitializeAsync()
    {
        var cluster = await shared.GetAsync(postgres, "groupcommit");
        _storage = cluster.Silos.OfType<InProcessSiloHandle>().First().ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Participants);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task WritesAreVersionedAndAStaleWriterIsRefused()
    {
        var id = NewGrain();
        var state = State("one");
        await _storage.WriteStateAsync(StateName, id, state);
        var first = state.ETag;

        state.State = new GrainStorageContractTests.Note { Text = "two", Count = 2 };
        await _storage.WriteStateAsync(StateName, id, state);
        Assert.NotEqual(first, state.ETag);

        var stale = new GrainState<GrainStorageContractTests.Note>(new() { Text = "lost" }, first) { RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, id, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, id, State("blind first write")));

        var read = await ReadAsync(id);
        Assert.True(read.RecordExists);
        Assert.Equal(state.ETag, read.ETag);
        Assert.Equal("two", read.State!.Text);
        Assert.Equal(2, read.State!.Count);
    }

    [Fact]
    public async Task ClearingDeletesTheRowAndAStaleClearOrUpdateIsRefused()
    {
        var id = NewGrain();
        var state = State("before");
        await _storage.WriteStateAsync(StateName, id, state);
        var written = state.ETag;
        state.State = new() { Text = "after" };
        await _storage.WriteStateAsync(StateName, id, state);

        var stale = new GrainState<GrainStorageContractTests.Note>(new(), written) { RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync(StateName, id, stale));
        Assert.Equal("after", (await ReadAsync(id)).State!.Text);

        await _storage.ClearStateAsync(StateName, id, state);
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.False((await ReadAsync(id)).RecordExists);
        Assert.Equal(0, await RowsAsync(id));

        // A writer that read before the clear does not bring the row back.
        var resurrect = new GrainState<GrainStorageContractTests.Note>(new() { Text = "zombie" }, written) { RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, id, resurrect));
        Assert.Equal(0, await RowsAsync(id));
    }

    [Fact]
    public async Task OfConcurrentFirstWritesOnlyOneWins()
    {
        var id = NewGrain();
        var writers = Enumerable.Range(0, 8).Select(i => State($"writer {i}")).ToArray();
        var outcomes = await Task.WhenAll(writers.Select(async w =>
        {
            try
            {
                await _storage.WriteStateAsync(StateName, id, w);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));

        Assert.Equal(1, outcomes.Count(won => won));
        var winner = writers[Array.IndexOf(outcomes, true)];
        Assert.Equal(winner.State!.Text, (await ReadAsync(id)).State!.Text);
    }

    [Fact]
    public async Task HundredsOfGrainsWritingAtOnceEachKeepTheirOwnState()
    {
        var ids = Enumerable.Range(0, 600).Select(_ => NewGrain()).ToArray();
        var states = ids.Select((id, i) => State($"grain {i}")).ToArray();
        for (var round = 1; round <= 3; round++)
        {
            var r = round;
            await Task.WhenAll(ids.Select((id, i) =>
            {
                states[i].State = new() { Text = $"grain {i}", Count = r };
                return _storage.WriteStateAsync(StateName, id, states[i]);
            }));
        }

        var reads = await Task.WhenAll(ids.Select(ReadAsync));
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal($"grain {i}", reads[i].State!.Text);
            Assert.Equal(3, reads[i].State!.Count);
            Assert.Equal(states[i].ETag, reads[i].ETag);
        }
    }

    [Fact]
    public async Task KeysThatLookLikeNumbersOrGuidsAndTwoStateNamesKeepTheirOwnRows()
    {
        var digits = string.Concat(Enumerable.Range(0, 6).Select(_ => (char)('1' + Random.Shared.Next(9))));
        var guid = Guid.NewGuid().ToString("N");
        foreach (var (a, b) in new[] { (digits, "0" + digits), (guid, guid.ToUpperInvariant()) })
        {
            await _storage.WriteStateAsync(StateName, GrainId.Create("contract-grain", a), State(a));
            await _storage.WriteStateAsync(StateName, GrainId.Create("contract-grain", b), State(b));
            Assert.Equal(a, (await ReadAsync(GrainId.Create("contract-grain", a))).State!.Text);
            Assert.Equal(b, (await ReadAsync(GrainId.Create("contract-grain", b))).State!.Text);
        }

        var id = NewGrain();
        await _storage.WriteStateAsync(StateName, id, State("named after the grain"));
        await _storage.WriteStateAsync("notes", id, State("notes"));
        Assert.Equal("named after the grain", (await ReadAsync(id)).State!.Text);
        var notes = new GrainState<GrainStorageContractTests.Note>();
        await _storage.ReadStateAsync("notes", id, notes);
        Assert.Equal("notes", notes.State!.Text);
    }

    private async Task<long> RowsAsync(GrainId id)
    {
        await using var connection = new NpgsqlConnection(shared.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select count(*) from flows_grain_state where grain_type = $1 and grain_key = $2", connection);
        count.Parameters.AddWithValue(id.Type.ToString()!);
        count.Parameters.AddWithValue(id.Key.ToString()!);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static GrainId NewGrain() => GrainId.Create("contract-grain", TestIds.New("gc"));

    private static GrainState<GrainStorageContractTests.Note> State(string text) => new(new() { Text = text });

    private async Task<GrainState<GrainStorageContractTests.Note>> ReadAsync(GrainId id)
    {
        var state = new GrainState<GrainStorageContractTests.Note>();
        await _storage.ReadStateAsync(StateName, id, state);
        return state;
    }
}
