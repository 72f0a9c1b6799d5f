using PSUnifiedMigration.Engine.Records;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext;

internal sealed record CatalogColumn(string Name, string Type, string TypeName, int TypeModifier);

internal sealed record CatalogTable(string Name, IReadOnlyList<CatalogColumn> Columns, bool KeyIsUnique, bool IsView)
{
    public CatalogColumn? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);
}

/// <summary>What the Claude-Context schema looks like in one database, read from pg_catalog.</summary>
internal sealed class ClaudeContextCatalog
{
    private ClaudeContextCatalog(string schema, IReadOnlyDictionary<string, CatalogTable> tables)
    {
        Schema = schema;
        Tables = tables;
    }

    public string Schema { get; }

    public IReadOnlyDictionary<string, CatalogTable> Tables { get; }

    public bool SchemaExists => Tables.Count > 0;

    public static async Task<ClaudeContextCatalog> LoadAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        const string ColumnsSql = """
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), t.typname, a.atttypmod, c.relkind = 'v',
                   EXISTS (SELECT 1 FROM pg_index i
                           WHERE i.indrelid = c.oid AND i.indisunique AND i.indpred IS NULL
                             AND i.indnkeyatts = 1 AND i.indkey[0] = a.attnum)
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_type t ON t.oid = a.atttypid
            WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY c.relname, a.attnum
            """;
        var columns = new Dictionary<string, List<CatalogColumn>>();
        var uniqueKeys = new HashSet<string>();
        var views = new HashSet<string>();
        await using (var command = new NpgsqlCommand(ColumnsSql, connection) { Parameters = { new() { Value = schema } } })
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var table = reader.GetString(0);
                var column = new CatalogColumn(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4));
                if (!columns.TryGetValue(table, out var list))
                {
                    columns[table] = list = [];
                }

                list.Add(column);
                if (reader.GetBoolean(5))
                {
                    views.Add(table);
                }

                if (column.Name == "id" && reader.GetBoolean(6))
                {
                    uniqueKeys.Add(table);
                }
            }
        }

        return new ClaudeContextCatalog(schema, columns.ToDictionary(
            kv => kv.Key, kv => new CatalogTable(kv.Key, kv.Value, uniqueKeys.Contains(kv.Key), views.Contains(kv.Key))));
    }

    public CatalogTable? Table(string name) => Tables.GetValueOrDefault(name);

    /// <summary>Recognises the chunks layout from its columns, or null when it is neither known layout.</summary>
    public ClaudeTableSpec? ChunkLayout()
    {
        var chunks = Table("chunks");
        if (chunks is null)
        {
            return null;
        }

        if (chunks.Column("content") is not null && chunks.Column("vector") is not null)
        {
            return ClaudeContextTables.LiveLayoutChunks;
        }

        return chunks.Column("text") is not null && chunks.Column("embedding") is not null ? ClaudeContextTables.SchemaLayoutChunks : null;
    }

    public static string LayoutName(ClaudeTableSpec? chunkSpec) =>
        chunkSpec == ClaudeContextTables.LiveLayoutChunks ? "live (content, vector, relative_path, lines)"
        : chunkSpec == ClaudeContextTables.SchemaLayoutChunks ? "init-schema (text, embedding, document/web page)"
        : "unrecognised";

    /// <summary>A hash of every table's columns and key kind: a run refuses a source whose shape changed since its plan.</summary>
    public string Fingerprint()
    {
        var text = new StringBuilder(Schema);
        foreach (var table in Tables.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            text.Append('|').Append(table.Name).Append(table.KeyIsUnique ? "!" : "?");
            foreach (var column in table.Columns)
            {
                text.Append(',').Append(column.Name).Append(':').Append(column.Type);
            }
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16].ToLowerInvariant();
    }

    public string QualifiedName(string table) => Sql.Qualified(Schema, table);
}
