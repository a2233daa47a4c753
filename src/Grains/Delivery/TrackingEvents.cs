using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Orleans.Flows.Contacts;
using Orleans.Flows.Values;

namespace Orleans.Flows.Delivery;

/// <summary>
/// The event a tracked open, click or unsubscribe records. Its id is derived from the message (and the url), so
/// an email opened ten times, or a link clicked twice, counts once: the contact ignores a repeated event id.
/// </summary>
public static class TrackingEvents
{
    public static ContactEvent For(TrackingClaim claim, DateTimeOffset now)
    {
        var (id, type) = claim.Kind switch
        {
            TrackingKind.Open => ("open:" + claim.MessageId, DeliveryReports.EmailOpened),
            TrackingKind.Click => ($"click:{claim.MessageId}:{UrlKey(claim.Url ?? "")}", DeliveryReports.LinkClicked),
            _ => ("unsubscribe:" + claim.MessageId, DeliveryReports.Unsubscribed),
        };
        var properties = ImmutableSortedDictionary.CreateBuilder<string, FieldValue>(StringComparer.Ordinal);
        properties["messageId"] = FieldValue.Of(claim.MessageId);
        properties["flowId"] = FieldValue.Of(claim.FlowId);
        properties["stepId"] = FieldValue.Of(claim.StepId);
        if (claim.Url is { } url) properties["url"] = FieldValue.Of(url);
        if (claim.Kind == TrackingKind.Unsubscribe) properties["channel"] = FieldValue.Of("email");
        return new ContactEvent { Id = id, Type = type, OccurredAt = now, Properties = properties.ToImmutable() };
    }

    private static string UrlKey(string url) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url)))[..16];
}
