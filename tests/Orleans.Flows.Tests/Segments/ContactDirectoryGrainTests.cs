using System.Collections.Immutable;
using Orleans.Flows.Contacts;
using Orleans.Flows.Flows;
using Orleans.Flows.Segments;
using Orleans.Flows.Tests.Infrastructure;
using Orleans.Flows.Values;

namespace Orleans.Flows.Tests.Segments;

/// <summary>
/// Development mode's directory on the two-silo test cluster: contact grains tell it what they write and erase, and
/// filter segments find their members there. Each test marks its contacts with an attribute of its own, since the
/// cluster (and so the directory) is shared.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ContactDirectoryGrainTests(ClusterFixture cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly string _batch = TestIds.New("batch");

    private IContactGrain Contact(string id) => cluster.Grains.GetGrain<IContactGrain>(id);

    private ISegmentGrain Segment(string id) => cluster.Grains.GetGrain<ISegmentGrain>(id);

    private IContactDirectoryGrain Directory => cluster.Grains.GetGrain<IContactDirectoryGrain>(IContactDirectoryGrain.Key);

    private Condition InBatch(string? moreJson = null) => FilterSamples.Parse(moreJson is null
        ? $$"""{"attribute": "attributes.batch", "op": "eq", "value": "{{_batch}}"}"""
        : $$"""{"all": [{"attribute": "attributes.batch", "op": "eq", "value": "{{_batch}}"}, {{moreJson}}]}""");

    private async Task<string> ContactAsync(string id, params (string Name, FieldValue Value)[] attributes)
    {
        await Contact(id).UpsertAsync(new ContactChange
        {
            Email = id + "@example.com",
            Attributes = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                attributes.Select(a => KeyValuePair.Create(a.Name, a.Value)).Append(KeyValuePair.Create("batch", FieldValue.Of(_batch)))),
        });
        return id;
    }

    private async Task<List<string>> AllMembersAsync(ISegmentGrain segment, int pageSize)
    {
        var ids = new List<string>();
        string? after = null;
        do
        {
            var page = await segment.GetMembersAsync(after, pageSize);
            Assert.True(page.ContactIds.Length <= pageSize, $"a page of {page.ContactIds.Length} for a limit of {pageSize}");
            ids.AddRange(page.ContactIds);
            after = page.NextAfter;
        }
        while (after is not null);
        return ids;
    }

    private Task<List<string>> MembersUntilAsync(ISegmentGrain segment, IEnumerable<string> expected, string what)
    {
        var wanted = expected.Order(StringComparer.Ordinal).ToList();
        return Eventually.Matches(() => AllMembersAsync(segment, 2), ids => ids.SequenceEqual(wanted), Timeout, what);
    }

    [Fact]
    public async Task AFilterSegmentsMembersAreTheContactsThatMatchItInIdOrder()
    {
        var prefix = TestIds.New("m");
        var pro = new[] { "b", "A", "c.1", "a", "_z" }.Select(s => $"{prefix}-{s}").ToList();
        foreach (var id in pro) await ContactAsync(id, ("plan", FieldValue.Of("Pro")));
        var free = await ContactAsync($"{prefix}-free", ("plan", FieldValue.Of("free")));
        var segment = Segment(TestIds.New("segment"));

        var view = await segment.PutFilterAsync("Pro plan", InBatch("""{"attribute": "attributes.plan", "op": "eq", "value": "pro"}"""));

        Assert.NotNull(view.Filter);
        var members = await MembersUntilAsync(segment, pro, "the pro contacts are the members, in ordinal order");
        Assert.DoesNotContain(free, members);
        Assert.Equal(5, (await segment.GetAsync())!.Count);
    }

    [Fact]
    public async Task ChangesUpdatesByFlowsAndErasuresReachTheDirectory()
    {
        var prefix = TestIds.New("m");
        var (one, two, three) = (await ContactAsync(prefix + "-1", ("score", FieldValue.Of(10))),
                                 await ContactAsync(prefix + "-2", ("score", FieldValue.Of(50))),
                                 await ContactAsync(prefix + "-3", ("score", FieldValue.Of("70"))));
        var segment = Segment(TestIds.New("segment"));
        await segment.PutFilterAsync("Warm", InBatch("""{"attribute": "attributes.score", "op": "gte", "value": 50}"""));
        await MembersUntilAsync(segment, [two, three], "the contacts scoring 50 or more are members");

        // A client's change, a flow's updateContact step, and an erasure.
        await Contact(one).UpsertAsync(new ContactChange { Attributes = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("score", FieldValue.Of(99))]) });
        await Contact(two).ApplyFlowUpdateAsync("op-1", new ContactUpdate { IncrementAttributes = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("score", -45.0)]) });
        Assert.True(await Contact(three).EraseAsync());

        await MembersUntilAsync(segment, [one], "only the contact whose score rose is a member");
        Assert.Equal(1, (await segment.GetAsync())!.Count);
    }

    [Fact]
    public async Task AChangeThatArrivesLateDoesNotUndoANewerOne()
    {
        var id = TestIds.New("late");
        var now = DateTimeOffset.UtcNow;
        var filter = InBatch();
        var contact = new Contact
        {
            Id = id,
            Attributes = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("batch", FieldValue.Of(_batch))]),
        };

        await Directory.SetAsync(id, null, now);
        await Directory.SetAsync(id, contact, now - TimeSpan.FromSeconds(1));
        await Directory.SetAsync(id + "-kept", contact with { Id = id + "-kept" }, now);

        // The third change was sent last; once it is in, the second (older than the erasure) was seen and ignored.
        var page = await Eventually.Matches(() => Directory.MatchAsync(filter, null, 10), p => p.ContactIds.Length > 0, Timeout, "the directory holds the kept contact");
        Assert.Equal(new[] { id + "-kept" }, page.ContactIds.AsEnumerable());
        Assert.Equal(1, await Directory.CountAsync(filter));
    }

    [Fact]
    public async Task ASegmentSwitchesBetweenListAndFilterAndAFiltersMembersCannotBeEditedAsAList()
    {
        var prefix = TestIds.New("m");
        var (listed, matching) = (await ContactAsync(prefix + "-listed", ("plan", FieldValue.Of("free"))), await ContactAsync(prefix + "-match", ("plan", FieldValue.Of("pro"))));
        var segment = Segment(TestIds.New("segment"));
        await segment.PutStaticAsync("List", [listed]);

        var filter = await segment.PutFilterAsync("Filter", InBatch("""{"attribute": "attributes.plan", "op": "eq", "value": "pro"}"""));

        Assert.NotNull(await segment.GetFilterAsync());
        Assert.Null(await segment.AddMembersAsync([listed]));
        Assert.False(await segment.RemoveMemberAsync(matching));
        await MembersUntilAsync(segment, [matching], "the filter's match, not the old list, is the member");
        Assert.Equal("Filter", filter.Name);

        var list = await segment.PutStaticAsync("List again", [listed]);

        Assert.Null(list.Filter);
        Assert.Null(await segment.GetFilterAsync());
        Assert.Equal([listed], await AllMembersAsync(segment, 10));
        Assert.Equal(1, await segment.AddMembersAsync([matching]));
    }
}
