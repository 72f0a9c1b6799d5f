using PSUnifiedMigration.Engine.Records;
using Npgsql;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// One of Cognee's pgvector collections: a table named &lt;DataPoint class&gt;_&lt;indexed field&gt; with
/// id uuid, payload json and vector vector(n), as PGVectorAdapter creates it. With backend access control a
/// collection exists once per dataset schema, so the schema is part of its identity.
/// </summary>
public sealed record CogneeVectorCollection(string Schema, string Table, long Rows, IReadOnlyDictionary<int, long> Dimensions)
{
    public const string ChunkCollection = "DocumentChunk_text";

    /// <summary>The step's source table: the collection name, qualified when it is not in public.</summary>
    public string SourceTable => Schema == "public" ? Table : $"{Schema}.{Table}";

    public string VectorSourceTable => SourceTable + ":vectors";

    public string DataPointClass => Table.Split('_', 2)[0];

    public string Field => Table.Contains('_') ? Table.Split('_', 2)[1] : Table;

    public bool IsChunks => Table == ChunkCollection;

    /// <summary>The collection's dimension: the most common one; vectors of any other dimension are rejected.</summary>
    public int? ExpectedDimensions => Dimensions.Count == 0 ? null : Dimensions.OrderByDescending(d => d.Value).ThenBy(d => d.Key).First().Key;

    public string Qualified => Sql.Qualified(Schema, Table);

    /// <summary>Every collection table in the database, with its rows and vector dimensions.</summary>
    public static async Task<IReadOnlyList<CogneeVectorCollection>> DiscoverAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        var names = new List<(string Schema, string Table)>();
        await using (var command = new NpgsqlCommand("""
            SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'unified', 'unified_migration')
              AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'id' AND NOT a.attisdropped)
              AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'payload' AND NOT a.attisdropped)
              AND EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                          WHERE a.attrelid = c.oid AND a.attname = 'vector' AND t.typname = 'vector' AND NOT a.attisdropped)
            ORDER BY 1, 2
            """, connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                names.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        var collections = new List<CogneeVectorCollection>();
        foreach (var (schema, table) in names)
        {
            var dimensions = new Dictionary<int, long>();
            long rows = 0;
            await using var command = new NpgsqlCommand($"SELECT vector_dims(vector), count(*) FROM {Sql.Qualified(schema, table)} GROUP BY 1", connection, transaction);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows += reader.GetInt64(1);
                if (!reader.IsDBNull(0))
                {
                    dimensions[reader.GetInt32(0)] = reader.GetInt64(1);
                }
            }

            collections.Add(new CogneeVectorCollection(schema, table, rows, dimensions));
        }

        return collections;
    }
}
