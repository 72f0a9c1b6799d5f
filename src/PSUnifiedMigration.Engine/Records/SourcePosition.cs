using System.Text.Json;
using System.Text.Json.Serialization;

namespace PSUnifiedMigration.Engine.Records;

/// <summary>
/// Where reading stopped, stored with each batch's checkpoint. Only the reader that wrote it knows what the token
/// means (a key, a key and a physical position, a count of elements consumed), so a new source brings its own
/// position without changing the checkpoint table or the executor.
/// </summary>
[JsonConverter(typeof(SourcePositionJsonConverter))]
public sealed record SourcePosition(string Token);

/// <summary>
/// Stores a position as its token string. Checkpoints written before positions became opaque hold a JSON object
/// (NullKeysDone, LastNullCtid, LastKey, LastCtid); it is read back as that object's JSON text, which the readers
/// still parse, so such runs keep resuming.
/// </summary>
internal sealed class SourcePositionJsonConverter : JsonConverter<SourcePosition>
{
    public override SourcePosition? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new SourcePosition(reader.GetString()!);
        }

        using var legacy = JsonDocument.ParseValue(ref reader);
        return new SourcePosition(legacy.RootElement.GetRawText());
    }

    public override void Write(Utf8JsonWriter writer, SourcePosition value, JsonSerializerOptions options) => writer.WriteStringValue(value.Token);
}
