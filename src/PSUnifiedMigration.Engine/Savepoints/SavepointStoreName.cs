using System.Text.Json;
using System.Text.Json.Serialization;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets;

namespace PSUnifiedMigration.Engine.Savepoints;

/// <summary>
/// Reads a savepoint part's store as text, also from bookkeeping rows written while the store was an enum serialised
/// as its number (0 PostgreSQL, then the registered stores in registry order); always writes the text.
/// </summary>
internal sealed class SavepointStoreName : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number
            ? reader.GetInt32() is var position and > 0 ? TargetStores.Registered[position - 1].Name : MigrationSavepoint.SystemOfRecord
            : reader.GetString()!;

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
