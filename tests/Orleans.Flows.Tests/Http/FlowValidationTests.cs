using System.Net;
using Orleans.Flows.Tests.Infrastructure;

namespace Orleans.Flows.Tests.Http;

/// <summary>Definitions the API must refuse with a 400 that names the JSON path; never a 500.</summary>
[Collection(ApiCollection.Name)]
public sealed class FlowValidationTests(ApiFixture api)
{
    private readonly HttpClient _admin = api.Client();

    private const string Tag = """{"id": "a", "type": "updateContact", "addTags": ["x"], "next": "b"}""";
    private const string End = """{"id": "b", "type": "end"}""";

    private static string Definition(string steps, string extra = "", string start = "a", string? id = null) => $$"""
        {
          {{(id is null ? "" : $"\"id\": \"{id}\",")}}
          "name": "Invalid",
          "trigger": {"type": "manual"},{{extra}}
          "startStepId": "{{start}}",
          "steps": [{{steps}}]
        }
        """;

    private Task<HttpResponseMessage> Post(string body) => _admin.PostJson("/v1/flows", body);

    [Fact]
    public async Task TheBaseDefinitionOfTheseTestsIsValid()
    {
        await (await Post(Definition($"{Tag}, {End}"))).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task MalformedJsonIsRejected()
    {
        var errors = await (await Post("""{"name": "Broken", "steps": [""")).ExpectInvalid();
        Assert.Contains(errors.EnumerateObject(), e => e.Name.StartsWith('$'));
    }

    [Fact]
    public async Task ArrayBodyIsRejected()
    {
        await (await Post($"[{Definition($"{Tag}, {End}")}]")).ExpectInvalid("$");
    }

    [Fact]
    public async Task EmptyBodyIsRejected()
    {
        await (await Post("")).ExpectInvalid();
    }

    [Fact]
    public async Task MissingNameIsRejected()
    {
        await (await Post($$"""{"startStepId": "a", "steps": [{{Tag}}, {{End}}]}""")).ExpectInvalidUnder("$.name");
    }

    [Fact]
    public async Task StartStepThatDoesNotExistIsRejected()
    {
        await (await Post(Definition($"{Tag}, {End}", start: "nowhere"))).ExpectInvalid("$.startStepId");
    }

    [Fact]
    public async Task UnknownStepTypeIsRejected()
    {
        await (await Post(Definition($$"""{"id": "a", "type": "teleport", "next": "b"}, {{End}}"""))).ExpectInvalidUnder("$.steps[0]");
    }

    [Fact]
    public async Task StepWithoutTypeIsRejected()
    {
        await (await Post(Definition($$"""{"id": "a", "next": "b"}, {{End}}"""))).ExpectInvalidUnder("$.steps[0]");
    }

    [Fact]
    public async Task WrongValueTypeIsRejectedAtItsPath()
    {
        await (await Post(Definition($$"""{{Tag}}, {"id": "b", "type": "wait", "duration": 5}"""))).ExpectInvalid("$.steps[1].duration");
    }

    [Fact]
    public async Task DurationThatIsNotIsoIsRejectedAtItsPath()
    {
        await (await Post(Definition($$"""{{Tag}}, {"id": "b", "type": "wait", "duration": "two days"}"""))).ExpectInvalid("$.steps[1].duration");
    }

    [Fact]
    public async Task MissingContentIdIsRejectedAtItsPath()
    {
        await (await Post(Definition($$"""{"id": "a", "type": "sendEmail", "next": "b"}, {{End}}"""))).ExpectInvalid("$.steps[0].contentId");
    }

    [Fact]
    public async Task RepeatedStepIdIsRejected()
    {
        await (await Post(Definition($$"""{{Tag}}, {"id": "a", "type": "end"}, {{End}}"""))).ExpectInvalid("$.steps[1].id");
    }

    [Fact]
    public async Task NextPointingNowhereIsRejected()
    {
        await (await Post(Definition("""{"id": "a", "type": "updateContact", "addTags": ["x"], "next": "nowhere"}"""))).ExpectInvalid("$.steps[0].next");
    }

    [Fact]
    public async Task UnreachableStepIsRejected()
    {
        await (await Post(Definition($$"""{{Tag}}, {{End}}, {"id": "island", "type": "end"}"""))).ExpectInvalid("$.steps[2]");
    }

    [Fact]
    public async Task LoopWithoutAWaitIsRejected()
    {
        var errors = await (await Post(Definition($$"""{{Tag}}, {"id": "b", "type": "updateContact", "addTags": ["y"], "next": "a"}"""))).ExpectInvalidUnder("$.steps[");
        Assert.Contains(errors.EnumerateObject(), e => e.Value.EnumerateArray().Any(m => m.GetString()!.Contains("loop", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task LoopWithAWaitIsAccepted()
    {
        await (await Post(Definition($$"""{{Tag}}, {"id": "b", "type": "wait", "duration": "P1D", "next": "a"}"""))).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task UnknownContentIdIsRejected()
    {
        await (await Post(Definition($$"""{"id": "a", "type": "sendEmail", "contentId": "{{TestIds.New("missing")}}", "next": "b"}, {{End}}""")))
            .ExpectInvalid("$.steps[0].contentId");
    }

    [Fact]
    public async Task ContentOfAnotherChannelIsRejected()
    {
        var sms = await _admin.SmsContent();
        await (await Post(Definition($$"""{"id": "a", "type": "sendEmail", "contentId": "{{sms}}", "next": "b"}, {{End}}""")))
            .ExpectInvalid("$.steps[0].contentId");
    }

    [Fact]
    public async Task UnknownMoveToFlowIsRejected()
    {
        await (await Post(Definition($$"""{"id": "a", "type": "moveToFlow", "flowId": "{{TestIds.New("missing")}}"}""")))
            .ExpectInvalid("$.steps[0].flowId");
    }

    [Fact]
    public async Task SplitPercentsNotSummingToHundredAreRejected()
    {
        await (await Post(Definition($$"""
            {"id": "a", "type": "split", "branches": [{"percent": 50, "next": "b"}, {"percent": 40, "next": "b"}]}, {{End}}
            """))).ExpectInvalid("$.steps[0].branches");
    }

    [Fact]
    public async Task BadConditionOperatorInsideAFilterIsRejectedAtItsPath()
    {
        var filter = """ "filter": {"all": [{"attribute": "company", "op": "resembles", "value": "Acme"}]},""";
        await (await Post(Definition($"{Tag}, {End}", extra: filter))).ExpectInvalidUnder("$.filter.all[0]");
    }

    [Fact]
    public async Task BadTimeZoneInTheScheduleIsRejected()
    {
        var schedule = """ "schedule": {"timeZone": "Mars/Olympus_Mons"},""";
        await (await Post(Definition($"{Tag}, {End}", extra: schedule))).ExpectInvalid("$.schedule.timeZone");
    }

    [Fact]
    public async Task NegativeDurationIsRejected()
    {
        await (await Post(Definition($$"""{{Tag}}, {"id": "b", "type": "wait", "duration": "-P1D"}"""))).ExpectInvalid("$.steps[1].duration");
    }

    [Fact]
    public async Task NoStepsIsRejected()
    {
        await (await Post(Definition(""))).ExpectInvalidUnder("$.steps");
    }

    [Fact]
    public async Task RejectedDefinitionIsNotSaved()
    {
        var id = TestIds.New("flow");
        await (await Post(Definition("""{"id": "a", "type": "updateContact", "addTags": ["x"], "next": "nowhere"}""", id: id))).ExpectInvalid("$.steps[0].next");
        await (await _admin.GetAsync($"/v1/flows/{id}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task InvalidIdInTheBodyIsRejected()
    {
        await (await Post(Definition($"{Tag}, {End}", id: "has space"))).ExpectInvalid("$.id");
    }

    [Fact]
    public async Task PutOfAnInvalidDefinitionKeepsTheOldVersion()
    {
        var flow = await _admin.Flow();
        await (await _admin.PutJson($"/v1/flows/{flow}", Definition("""{"id": "a", "type": "updateContact", "addTags": ["x"], "next": "nowhere"}""")))
            .ExpectInvalid("$.steps[0].next");
        var after = await (await _admin.GetAsync($"/v1/flows/{flow}")).Expect(HttpStatusCode.OK);
        Assert.Equal(1, after.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task NullNameIsRejected()
    {
        await (await Post($$"""{"name": null, "startStepId": "a", "steps": [{{Tag}}, {{End}}]}""")).ExpectInvalid("$.name");
    }

    [Fact]
    public async Task NullStepsAreRejected()
    {
        await (await Post("""{"name": "x", "startStepId": "a", "steps": null}""")).ExpectInvalid("$.steps");
    }

    [Fact]
    public async Task UnknownTriggerTypeIsRejected()
    {
        await (await Post("""{"name": "x", "trigger": {"type": "cron"}, "startStepId": "a", "steps": [{"id": "a", "type": "end"}]}""")).ExpectInvalid("$.trigger");
    }

    [Fact]
    public async Task ConditionsNestedTooDeepAreRejected()
    {
        var filter = "\"filter\": " + string.Concat(Enumerable.Repeat("{\"not\": ", 40)) + "{\"attribute\": \"company\", \"op\": \"exists\"}" + new string('}', 40) + ",";
        await (await Post(Definition($"{Tag}, {End}", extra: filter))).ExpectInvalidUnder("$.filter");
    }

    [Fact]
    public async Task NullStepIsRejected()
    {
        await (await Post("""{"name": "x", "startStepId": "a", "steps": [null]}""")).ExpectInvalidUnder("$.steps[0]");
    }

    [Fact]
    public async Task NullSplitBranchIsRejected()
    {
        await (await Post(Definition("""{"id": "a", "type": "split", "branches": [null, {"percent": 100, "next": "b"}]}, {"id": "b", "type": "end"}""")))
            .ExpectInvalidUnder("$.steps[0].branches");
    }

    [Fact]
    public async Task NullConditionInsideAllIsRejected()
    {
        await (await Post(Definition($"{Tag}, {End}", extra: """ "filter": {"all": [null]},"""))).ExpectInvalidUnder("$.filter.all[0]");
    }
}
