using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Flows.Api.Auth;
using Orleans.Flows.Api.Http;
using Orleans.Flows.Api.OpenApi;
using Orleans.Flows.Content;
using Orleans.Flows.Values;

namespace Orleans.Flows.Api.Endpoints;

public static class ContentApi
{
    public static RouteGroupBuilder MapContent(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/content").WithTags("Content");
        group.MapPut("/{id}", PutContent).RequireAuthorization(Policies.EditContent).Accepts<ContentBody>("application/json")
            .WithSummary("Create or replace content")
            .WithDescription("Email `{channel: \"email\", name, subject, html, text?, from?}`, SMS `{channel: \"sms\", name, text}` or push " +
                             "`{channel: \"push\", name, title, body, url?}`. Texts are Liquid templates over the contact (`{{ contact.firstName }}`); " +
                             "an edit reaches the sends of running flows within seconds.")
            .WithRequestExample("email", "An email with Liquid", RequestExamples.EmailContent)
            .WithRequestExample("sms", "An SMS", RequestExamples.SmsContent)
            .WithRequestExample("push", "A push notification", RequestExamples.PushContent)
            .WithResponseExample(200, "email", "The stored email", ResponseExamples.Content);
        group.MapGet("/", ListContent).RequireAuthorization(Policies.Read)
            .WithSummary("List content")
            .WithResponseExample(200, "list", "Two contents", ResponseExamples.ContentList);
        group.MapGet("/{id}", GetContent).RequireAuthorization(Policies.Read)
            .WithSummary("Get content")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithResponseExample(200, "email", "An email", ResponseExamples.Content);
        group.MapDelete("/{id}", DeleteContent).RequireAuthorization(Policies.Admin)
            .WithSummary("Delete content")
            .WithDescription("409 while a running or paused flow uses it.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static async Task<Results<Ok<ContentItem>, ValidationProblem>> PutContent(string id, HttpRequest request, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", Ids.Rule);
        var (body, _, problem) = await JsonBody.ReadAsync<ContentBody>(request);
        if (problem is not null) return problem;
        if (body!.Channel is not { } channel) return Problems.Invalid("$.channel", "is required: email, sms or push");
        var item = new ContentItem
        {
            Id = id,
            Channel = channel,
            Name = body.Name ?? "",
            Subject = body.Subject,
            Html = body.Html,
            Text = body.Text,
            From = body.From,
            Title = body.Title,
            Body = body.Body,
            Url = body.Url,
        };
        var result = await grains.GetGrain<IContentGrain>(id).PutAsync(item);
        if (result.Item is null) return Problems.Invalid(result.Errors.ToDictionary(e => e.Key, e => e.Value), "The content is not valid.");
        return TypedResults.Ok(result.Item);
    }

    public static async Task<Ok<ContentList>> ListContent(IGrainFactory grains) =>
        TypedResults.Ok(new ContentList(await grains.GetGrain<IContentCatalogGrain>(IContentCatalogGrain.Key).ListAsync()));

    public static async Task<Results<Ok<ContentItem>, ProblemHttpResult, ValidationProblem>> GetContent(string id, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", Ids.Rule);
        var item = await grains.GetGrain<IContentGrain>(id).GetAsync();
        return item is null ? Problems.NotFound($"Content '{id}' does not exist.") : TypedResults.Ok(item);
    }

    public static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> DeleteContent(string id, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", Ids.Rule);
        var result = await grains.GetGrain<IContentGrain>(id).DeleteAsync();
        return result.Outcome switch
        {
            ContentDeleteOutcome.Deleted => TypedResults.NoContent(),
            ContentDeleteOutcome.InUse => Problems.Conflict($"Content '{id}' is used by flow '{result.UsedByFlowId}', which is running or paused."),
            _ => Problems.NotFound($"Content '{id}' does not exist."),
        };
    }
}

/// <summary>email <c>{channel, name, subject, html, text?, from?}</c>, sms <c>{channel, name, text}</c> or push <c>{channel, name, title, body, url?}</c>.</summary>
public sealed record ContentBody(
    Channel? Channel, string? Name, string? Subject, string? Html, string? Text, string? From, string? Title, string? Body, string? Url);

public sealed record ContentList(ImmutableArray<ContentSummary> Items);
