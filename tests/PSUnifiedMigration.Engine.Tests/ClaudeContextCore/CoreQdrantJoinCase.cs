using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.Engine.Tests.ClaudeContextCore;

/// <summary>
/// The join scenario run against both the Qdrant fake and the real qdrant/qdrant image: the plain and the hybrid
/// collection of a generated installation, each point computed from its row, plus one orphan point in the plain one.
/// </summary>
internal sealed record CoreQdrantJoinCase(CoreChunkTable[] Tables, CodebaseChunk Orphan)
{
    public static CoreQdrantJoinCase Of(ClaudeContextCoreFacts facts)
    {
        var plain = facts.Table(CoreChunkTableKind.Plain);
        return new([plain, facts.Table(CoreChunkTableKind.Hybrid)],
            plain.CodeRows[0] with { Id = "chunk_00000000deadbeef", Content = "an orphan point without a row" });
    }

    /// <summary>Each collection's name, its PUT /collections body and its points (sparse vectors included).</summary>
    public IEnumerable<(string Collection, JsonObject Config, List<JsonObject> Points)> Collections() => Tables.Select(table =>
    {
        var points = table.CodeRows.Select(c => CoreQdrantPoints.Point(table, c, sparse: true)).ToList();
        if (table.Kind == CoreChunkTableKind.Plain)
        {
            points.Add(CoreQdrantPoints.Point(table, Orphan, sparse: true));
        }

        return (table.Collection, CoreQdrantPoints.CollectionConfig(table.Dimension, table.IsHybrid, sparse: true), points);
    });

    /// <summary>Every row arrived once with its point's sparse vector, and only the orphan point became a chunk of its own.</summary>
    public async Task AssertMigratedAsync(MigrationResult result, string target)
    {
        foreach (var table in Tables)
        {
            Assert.Equal(table.RowCount, result.Steps.Single(s => s.SourceTable == table.Table).Migrated);
            Assert.Equal(table.Kind == CoreChunkTableKind.Plain ? 1 : 0, result.Steps.Single(s => s.SourceTable == "qdrant/" + table.Collection).Migrated);
            foreach (var chunk in table.CodeRows)
            {
                var rows = await TestDatabase.RowsAsync(target, $"SELECT sparse_vector::text FROM unified.chunks WHERE legacy_id = '{chunk.Id}'");
                var sparse = JsonNode.Parse((string)Assert.Single(rows)[0]!)!;
                Assert.Equal(CoreQdrantPoints.SparseOf(chunk.Content).Values, sparse["values"]!.AsArray().Select(v => v!.GetValue<float>()));
            }
        }

        var orphanPoint = ClaudeContextIds.QdrantPointId(Orphan.Id).ToString("D");
        Assert.Single(await TestDatabase.RowsAsync(target, $"SELECT 1 FROM unified.chunks WHERE legacy_id = '{orphanPoint}' AND content = '{Orphan.Content}'"));
    }
}
