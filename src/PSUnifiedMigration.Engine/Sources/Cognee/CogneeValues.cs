using PSUnifiedMigration.Engine.Records;
using System.Globalization;
using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// Values as Cognee's SQLAlchemy models store them: in SQLite UUIDs as 32 hex digits, DATETIME as ISO text,
/// booleans as 0/1, JSON as text; in PostgreSQL native uuid, timestamp, boolean and json. Each accessor rejects a
/// bad value by field name.
/// </summary>
public static class CogneeValues
{
    /// <summary>A UUID in its canonical form, from SQLite's 32 hex digits (or a dashed form).</summary>
    public static string? Uuid(object? value, string field) => value switch
    {
        null or DBNull => null,
        Guid id => id.ToString("D"),
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
        // PostgreSQL: timestamptz arrives as UTC; a naive timestamp holds UTC wall time, as SQLAlchemy writes it.
        DateTime time => time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc),
        DateTimeOffset time => time.UtcDateTime,
        _ => throw new RecordRejectedException(field, $"holds '{value}', which is not a timestamp. Fix the value in the source.", "TimestampInvalid"),
    };

    /// <summary>Any column's value as JSON for metadata: JSON columns parsed, the rest as their plain values.</summary>
    public static JsonNode? AsJson(object? value, string field, bool isJsonColumn) => value switch
    {
        null or DBNull => null,
        _ when isJsonColumn => FieldChecks.Json(value, field),
        long or int or short => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        bool flag => JsonValue.Create(flag),
        Guid id => JsonValue.Create(id.ToString("D")),
        // As SQLAlchemy writes DATETIME on SQLite, so both stores give the same metadata.
        DateTime or DateTimeOffset => JsonValue.Create(Timestamp(value, field)!.Value.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)),
        float or decimal => JsonValue.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        double number => double.IsFinite(number) ? JsonValue.Create(number) : JsonValue.Create(number.ToString(CultureInfo.InvariantCulture)),
        byte[] bytes => JsonValue.Create(Convert.ToBase64String(bytes)),
        _ => JsonValue.Create(FieldChecks.Text(value, field)),
    };
}
