using System.Text.Json;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext.Qdrant;

/// <summary>
/// Where a scroll of one collection stopped: the next_page_offset Qdrant gave (the id the next page starts at), or
/// Done after the last page. Scroll pages are in id order, so resuming from the offset reads exactly the rest.
/// </summary>
internal sealed record QdrantScrollPosition(Guid? NextOffset, bool Done)
{
    public static readonly QdrantScrollPosition Start = new(null, false);

    public SourcePosition ToPosition() => new(JsonSerializer.Serialize(this));

    public static QdrantScrollPosition Parse(SourcePosition? position) =>
        position is null ? Start : JsonSerializer.Deserialize<QdrantScrollPosition>(position.Token) ?? Start;
}
