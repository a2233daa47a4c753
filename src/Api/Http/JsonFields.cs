using System.Collections.Immutable;
using System.Text.Json;
using Orleans.Flows.Interpretation;
using Orleans.Flows.Values;

namespace Orleans.Flows.Api.Http;

/// <summary>Readers for the pieces several bodies share, each adding its errors under the JSON path it read.</summary>
public static class JsonFields
{
    /// <summary>An object of scalar values (contact attributes, event properties).</summary>
    public static ImmutableSortedDictionary<string, FieldValue> ReadValues(
        JsonElement obj, string path, ValidationErrors errors, Func<string, bool> isValidName, string nameRule, int max)
    {
        var values = ImmutableSortedDictionary.CreateBuilder<string, FieldValue>(StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            if (!isValidName(property.Name))
            {
                errors.Add(path, $"name '{(property.Name.Length <= 40 ? property.Name : property.Name[..40] + "…")}' {nameRule}");
                continue;
            }
            try
            {
                values[property.Name] = FieldValue.FromJson(property.Value);
            }
            catch (JsonException ex)
            {
                errors.Add($"{path}.{property.Name}", ex.Message);
            }
        }
        if (values.Count > max) errors.Add(path, $"must hold at most {max} entries");
        return values.ToImmutable();
    }

    /// <summary>The <c>contactIds</c> array of a body: between <paramref name="min"/> and <paramref name="max"/> valid ids.</summary>
    public static ImmutableArray<string> ReadContactIds(JsonElement body, ValidationErrors errors, int min, int max)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("contactIds", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            errors.Add("$.contactIds", "must be an array of contact ids");
            return [];
        }
        var count = list.GetArrayLength();
        if (count < min || count > max)
        {
            errors.Add("$.contactIds", $"must hold {min}-{max} contact ids");
            return [];
        }
        var ids = ImmutableArray.CreateBuilder<string>(count);
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && Ids.IsValid(item.GetString())) ids.Add(item.GetString()!);
            else errors.Add($"$.contactIds[{i}]", Ids.Rule);
            i++;
        }
        return ids.ToImmutable();
    }
}
