using System.Text.Json;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext;

/// <summary>
/// Where a Claude-Context read stopped. Rows with a null key are read first (by physical position), then the rest by
/// key; Ctid breaks ties where the key is not unique. Its JSON is the form checkpoints have had from the start.
/// </summary>
internal sealed record ClaudeContextPosition(bool NullKeysDone, string? LastNullCtid, string? LastKey, string? LastCtid)
{
    public static readonly ClaudeContextPosition Start = new(false, null, null, null);

    public SourcePosition ToPosition() => new(JsonSerializer.Serialize(this));

    public static ClaudeContextPosition Parse(SourcePosition? position) =>
        position is null ? Start : JsonSerializer.Deserialize<ClaudeContextPosition>(position.Token) ?? Start;
}
