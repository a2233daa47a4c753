using System.Collections.Immutable;
using System.Text.Json;
using Orleans.Flows.Api.Http;
using Orleans.Flows.Contacts;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Values;

namespace Orleans.Flows.Api.Endpoints;

/// <summary>
/// Reads a contact body by hand, because an upsert must tell a field the client left out (kept) from a field
/// it set to null (cleared), which a typed body cannot.
/// </summary>
public static class ContactReader
{
    private static readonly string[] TextFields = ["email", "phone", "pushToken", "firstName", "lastName", "company", "timeZone"];
    public const int MaxTextLength = 320;
    public const int MaxAttributes = 200;
    public const int MaxTags = 200;

    public static ContactChange? Read(JsonElement body, string path, ValidationErrors errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "must be a JSON object");
            return null;
        }
        var text = new Dictionary<string, string?>(StringComparer.Ordinal);
        var clear = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        foreach (var field in TextFields)
        {
            if (!body.TryGetProperty(field, out var value)) continue;
            switch (value.ValueKind)
            {
                case JsonValueKind.Null:
                    clear.Add(field);
                    break;
                case JsonValueKind.String when value.GetString() is { Length: <= MaxTextLength } s:
                    var trimmed = s.Trim();
                    if (trimmed.Length == 0) clear.Add(field);
                    else text[field] = trimmed;
                    break;
                default:
                    errors.Add($"{path}.{field}", $"must be a string of at most {MaxTextLength} characters, or null");
                    break;
            }
        }
        if (text.GetValueOrDefault("email") is { } email && !IsEmail(email)) errors.Add($"{path}.email", "is not an email address");
        if (text.GetValueOrDefault("phone") is { } phone && !IsPhone(phone)) errors.Add($"{path}.phone", "must be a phone number in international form, such as +4712345678");
        if (text.GetValueOrDefault("timeZone") is { } zone && !WaitTimes.IsKnownZone(zone)) errors.Add($"{path}.timeZone", $"'{zone}' is not a known IANA time zone");

        ImmutableSortedDictionary<string, FieldValue>? attributes = null;
        if (body.TryGetProperty("attributes", out var attributesElement))
        {
            if (attributesElement.ValueKind == JsonValueKind.Null) clear.Add("attributes");
            else if (attributesElement.ValueKind != JsonValueKind.Object) errors.Add($"{path}.attributes", "must be an object");
            else attributes = JsonFields.ReadValues(attributesElement, $"{path}.attributes", errors, Ids.IsValid, Ids.Rule, MaxAttributes);
        }

        ImmutableArray<string>? tags = null;
        if (body.TryGetProperty("tags", out var tagsElement))
        {
            if (tagsElement.ValueKind == JsonValueKind.Null) clear.Add("tags");
            else if (tagsElement.ValueKind != JsonValueKind.Array) errors.Add($"{path}.tags", "must be an array of strings");
            else
            {
                var list = new List<string>();
                var i = 0;
                foreach (var tag in tagsElement.EnumerateArray())
                {
                    if (tag.ValueKind != JsonValueKind.String || tag.GetString() is not { Length: > 0 and <= Ids.MaxLength } t)
                        errors.Add($"{path}.tags[{i}]", "must be a string of 1-128 characters");
                    else if (!list.Contains(t, StringComparer.Ordinal)) list.Add(t);
                    i++;
                }
                if (list.Count > MaxTags) errors.Add($"{path}.tags", $"must hold at most {MaxTags} tags");
                tags = [.. list];
            }
        }

        bool? emailConsent = null, smsConsent = null, pushConsent = null;
        if (body.TryGetProperty("consent", out var consent) && consent.ValueKind != JsonValueKind.Null)
        {
            if (consent.ValueKind != JsonValueKind.Object) errors.Add($"{path}.consent", "must be an object such as {\"email\": true}");
            else
            {
                emailConsent = Flag(consent, "email", $"{path}.consent", errors);
                smsConsent = Flag(consent, "sms", $"{path}.consent", errors);
                pushConsent = Flag(consent, "push", $"{path}.consent", errors);
            }
        }

        return new ContactChange
        {
            Email = text.GetValueOrDefault("email"),
            Phone = text.GetValueOrDefault("phone"),
            PushToken = text.GetValueOrDefault("pushToken"),
            FirstName = text.GetValueOrDefault("firstName"),
            LastName = text.GetValueOrDefault("lastName"),
            Company = text.GetValueOrDefault("company"),
            TimeZone = text.GetValueOrDefault("timeZone"),
            Attributes = attributes,
            Tags = tags,
            EmailConsent = emailConsent,
            SmsConsent = smsConsent,
            PushConsent = pushConsent,
            Clear = clear.ToImmutable(),
        };
    }

    private static bool? Flag(JsonElement consent, string name, string path, ValidationErrors errors)
    {
        if (!consent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        errors.Add($"{path}.{name}", "must be true or false");
        return null;
    }

    private static bool IsEmail(string email)
    {
        var at = email.IndexOf('@');
        return at > 0 && at == email.LastIndexOf('@') && at < email.Length - 1 && email.Length <= 254 &&
               !email.Any(char.IsWhiteSpace) && email[(at + 1)..].Contains('.');
    }

    private static bool IsPhone(string phone)
    {
        var digits = phone.StartsWith('+') ? phone[1..] : phone;
        digits = digits.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        return digits.Length is >= 6 and <= 15 && digits.All(char.IsAsciiDigit);
    }
}
