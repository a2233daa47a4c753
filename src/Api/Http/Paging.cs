using System.Buffers.Text;
using System.Text;

namespace Orleans.Flows.Api.Http;

/// <summary>Opaque keyset cursors and page sizes.</summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static string? Encode(string? lastKey) => lastKey is null ? null : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastKey));

    public static bool TryDecode(string? cursor, out string? lastKey)
    {
        lastKey = null;
        if (string.IsNullOrEmpty(cursor)) return true;
        try
        {
            lastKey = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Checks <c>cursor</c> and <c>limit</c>; adds errors under their names.</summary>
    public static (string? AfterKey, int Limit) Read(string? cursor, string? limit, Dictionary<string, string[]> errors)
    {
        if (!TryDecode(cursor, out var after)) errors["cursor"] = ["is not a cursor this API returned"];
        var size = DefaultLimit;
        if (!string.IsNullOrEmpty(limit) &&
            (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxLimit))
            errors["limit"] = [$"must be a whole number between 1 and {MaxLimit}"];
        return (after, size);
    }
}
