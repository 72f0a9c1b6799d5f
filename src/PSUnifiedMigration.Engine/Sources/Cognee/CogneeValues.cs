using System.Globalization;
using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// Values as Cognee's SQLAlchemy models store them in SQLite: UUIDs as 32 hex digits, DATETIME as ISO text,
/// booleans as 0/1, JSON as text. Each accessor rejects a bad value by field name.
/// </summary>
public static class CogneeValues
{
    /// <summary>A UUID in its canonical form, from SQLite's 32 hex digits (or a dashed form).</summary>
    public static string? Uuid(object? value, string field) => value switch
    {
        null or DBNull => null,
        string text when Guid.TryParse(text, out var id) => id.ToString("D"),
        byte[] { Length: 16 } bytes => new Guid(bytes).ToString("D"),
        _ => throw new RecordRejectedException(field, $"holds '{value}', which is not a UUID. Fix the value in the source.", "UuidInvalid"),
    };

    public static bool? Boolean(object? value) => value switch
    {
        null or DBNull => null,
        long number => number != 0,
        bool flag => flag,
        string text => text is "1" or "true" or "True",
        _ => null,
    };

    /// <summary>SQLAlchemy writes naive UTC text such as "2025-03-01 10:00:00.123456".</summary>
    public static DateTime? Timestamp(object? value, string field) => value switch
    {
        null or DBNull => null,
        string text when DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) => time,
        _ => throw new RecordRejectedException(field, $"holds '{value}', which is not a timestamp. Fix the value in the source.", "TimestampInvalid"),
    };

    /// <summary>Any column's value as JSON for metadata: JSON columns parsed, the rest as their plain values.</summary>
    public static JsonNode? AsJson(object? value, string field, bool isJsonColumn) => value switch
    {
        null or DBNull => null,
        _ when isJsonColumn => FieldChecks.Json(value, field),
        long number => JsonValue.Create(number),
        double number => double.IsFinite(number) ? JsonValue.Create(number) : JsonValue.Create(number.ToString(CultureInfo.InvariantCulture)),
        byte[] bytes => JsonValue.Create(Convert.ToBase64String(bytes)),
        _ => JsonValue.Create(FieldChecks.Text(value, field)),
    };
}
