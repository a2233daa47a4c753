using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Flows.Api.Auth;
using Orleans.Flows.Api.Http;
using Orleans.Flows.Api.OpenApi;
using Orleans.Flows.Delivery;
using Orleans.Flows.Values;

namespace Orleans.Flows.Api.Endpoints;

/// <summary>The message log: every message a step produced, in any channel, and what became of it.</summary>
public static class MessagesApi
{
    public static RouteGroupBuilder MapMessages(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/messages").WithTags("Messages");
        group.MapGet("/", ListMessages).RequireAuthorization(Policies.Read)
            .WithSummary("List messages")
            .WithDescription("Every message a step produced, in any channel, and what became of it: \"did this contact get that email?\"")
            .WithQueryParameter("flowId", "Only messages of this flow.")
            .WithQueryParameter("contactId", "Only messages to this contact.")
            .WithQueryParameter("status", "Only messages with this status.", MessageStatus.All)
            .WithPaging()
            .WithResponseExample(200, "page", "One page", ResponseExamples.MessageList);
        group.MapGet("/{id}", GetMessage).RequireAuthorization(Policies.Read)
            .WithSummary("Get a message")
            .WithDescription("The message with what was sent: the rendered `html` and `text` (email), `text` (SMS), `title`, `text` and `url` (push), " +
                             "or the request `payload` (webhook, activity). Its id is deterministic (participant + step + visit).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithResponseExample(200, "email", "A sent email", ResponseExamples.Message);
        return group;
    }

    public static async Task<Results<Ok<MessageList>, ValidationProblem>> ListMessages(
        IGrainFactory grains, string? flowId, string? contactId, string? status, string? cursor, string? limit)
    {
        var errors = new Dictionary<string, string[]>();
        if (flowId is not null && !Ids.IsValid(flowId)) errors["flowId"] = [Ids.Rule];
        if (contactId is not null && !Ids.IsValid(contactId)) errors["contactId"] = [Ids.Rule];
        if (!string.IsNullOrEmpty(status) && !MessageStatus.All.Contains(status))
            errors["status"] = ["must be " + string.Join(", ", MessageStatus.All[..^1]) + " or " + MessageStatus.All[^1]];
        var (after, pageSize) = Paging.Read(cursor, limit, errors);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var page = await grains.GetGrain<IMessageLogGrain>(0).QueryAsync(new MessageQuery
        {
            FlowId = flowId,
            ContactId = contactId,
            Status = string.IsNullOrEmpty(status) ? null : status,
            After = after,
            Limit = pageSize,
        });
        return TypedResults.Ok(new MessageList([.. page.Items.Select(MessageItem.From)], Paging.Encode(page.NextAfter)));
    }

    public static async Task<Results<Ok<MessageDetail>, ProblemHttpResult, ValidationProblem>> GetMessage(string id, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", Ids.Rule);
        var record = await grains.GetGrain<IMessageLogGrain>(0).GetAsync(id);
        return record is null ? Problems.NotFound($"Message '{id}' does not exist.") : TypedResults.Ok(MessageDetail.Of(record));
    }
}

public sealed record MessageList(IReadOnlyList<MessageItem> Items, string? NextCursor);

public sealed record MessageItem(
    string Id, string Channel, string FlowId, string StepId, string ContactId, string? ContentId, string? To, string? Subject,
    string Status, int Attempts, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? SentAt)
{
    public static MessageItem From(MessageRecord r) => new(
        r.Message.Id, ChannelName(r.Message.Channel), r.Message.FlowId, r.Message.StepId, r.Message.ContactId, r.Message.ContentId,
        r.Message.To, r.Message.Subject, r.Status, r.Attempts, r.Error, r.Message.CreatedAt, r.SentAt);

    public static string ChannelName(MessageChannel channel) => channel.ToString().ToLowerInvariant();
}

/// <summary>A message with what was sent: the rendered email or SMS, or the request of a webhook or activity.</summary>
public sealed record MessageDetail(
    string Id, string Channel, string FlowId, string StepId, string ContactId, string? ContentId, string? To, string? Subject,
    string Status, int Attempts, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? SentAt,
    string? From, string? Html, string? Text, string? Title, string? Url, string? Method, JsonElement? Payload, string? UnsubscribeUrl)
{
    public static MessageDetail Of(MessageRecord r)
    {
        var m = r.Message;
        return new(
            m.Id, MessageItem.ChannelName(m.Channel), m.FlowId, m.StepId, m.ContactId, m.ContentId, m.To,
            m.Channel == MessageChannel.Push ? null : m.Subject, r.Status, r.Attempts, r.Error, m.CreatedAt, r.SentAt,
            m.From, m.Html, m.Text, m.Channel == MessageChannel.Push ? m.Subject : null, m.Url, m.Method, AsJson(m.Payload), m.UnsubscribeUrl);
    }

    /// <summary>A JSON payload as JSON; anything else (a plain-text webhook body) as a JSON string.</summary>
    private static JsonElement? AsJson(string? payload)
    {
        if (payload is null) return null;
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(payload);
        }
    }
}
