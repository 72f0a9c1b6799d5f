namespace PSUnifiedMigration.Engine.Sources.ClaudeContext;

/// <summary>A chunk collection found in the schema: its table, the layout it was recognised as, and how it is read.</summary>
internal sealed record ChunkCollection(CatalogTable Table, string Layout, ClaudeTableSpec Spec);

/// <summary>A table that looks like a chunk collection but lacks what the tool needs to read it; the plan warns about it.</summary>
internal sealed record UnreadableCollection(CatalogTable Table, string Reason);

/// <summary>
/// Finds the chunk collections of a Claude-Context schema by their columns, not their names: claude-context-core keeps
/// one table per collection (&lt;collection&gt;_vectors, plain or hybrid), crawl4ai its own (&lt;collection&gt;,
/// chunks_&lt;collection&gt;), and the init script a chunks table nothing writes (source-systems.md §2). A table with a
/// vector column and a text column is a collection; one with a vector column but something missing is reported, never skipped silently.
/// </summary>
internal static class ChunkCollections
{
    private static readonly string[] VectorColumns = ["vector", "embedding"];
    private static readonly string[] TextColumns = ["content", "text", "chunk_text"];

    /// <summary>pg_type names of the vector types read: pgvector's vector, real[] and double precision[].</summary>
    private static readonly string[] VectorTypes = ["vector", "_float4", "_float8"];

    public static (IReadOnlyList<ChunkCollection> Found, IReadOnlyList<UnreadableCollection> Unreadable) Discover(ClaudeContextCatalog catalog)
    {
        var found = new List<ChunkCollection>();
        var unreadable = new List<UnreadableCollection>();
        var parents = ClaudeContextTables.ParentTables.Select(t => t.SourceTable).ToHashSet(StringComparer.Ordinal);
        foreach (var table in catalog.Tables.Values.Where(t => !parents.Contains(t.Name)).OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            if (table.Name == "chunks")
            {
                // The init script's table keeps its two known layouts; an unknown one is a blocker of its own (ChunkLayoutUnrecognised).
                if (catalog.ChunkLayout() is { } spec)
                {
                    found.Add(new ChunkCollection(table, ClaudeContextCatalog.LayoutName(spec), spec));
                }

                continue;
            }

            var vector = VectorColumns.Select(table.Column).FirstOrDefault(c => c is not null)
                ?? table.Columns.FirstOrDefault(c => c.TypeName == "vector");
            if (vector is null)
            {
                continue;
            }

            var text = TextColumns.Select(table.Column).FirstOrDefault(c => c is not null);
            var reason = !VectorColumns.Contains(vector.Name) ? $"its vector column is named {vector.Name}"
                : !VectorTypes.Contains(vector.TypeName) ? $"its vector column {vector.Name} has type {vector.Type}"
                : text is null ? "it has no text column"
                : null;
            if (reason is not null)
            {
                unreadable.Add(new UnreadableCollection(table, reason));
                continue;
            }

            found.Add(new ChunkCollection(table, LayoutOf(table, text!.Name), CollectionTables.Spec(table.Name, CollectionName(table.Name), text.Name, vector.Name)));
        }

        return (found, unreadable);
    }

    /// <summary>What a collection table is, for the plan: the writer whose shape it has.</summary>
    private static string LayoutOf(CatalogTable table, string textColumn) =>
        textColumn == "chunk_text" ? "crawl4ai chunks (chunk_text, is_code, language, scope)"
        : table.Column("summary_vector") is not null ? "hybrid (content, vector, summary, summary_vector)"
        : table.Name.EndsWith("_vectors", StringComparison.Ordinal) ? "plain (content, vector)"
        : "crawl4ai (content, vector)";

    /// <summary>The collection a table holds, as dataset_collections names it: &lt;collection&gt;_vectors, chunks_&lt;collection&gt; or the bare name.</summary>
    public static string CollectionName(string table) =>
        table.EndsWith("_vectors", StringComparison.Ordinal) ? table[..^"_vectors".Length]
        : table.StartsWith("chunks_", StringComparison.Ordinal) ? table["chunks_".Length..]
        : table;
}
