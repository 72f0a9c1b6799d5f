using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Validation;

/// <summary>
/// Degree per node type: the source's transformed graph nodes (key and type) and edges (both end keys) are
/// binary-COPYed into temp tables on the target as they stream by, and the out- and in-degree totals per node type
/// are aggregated there and compared with the unified graph tables of the plan's sources. Edges whose ends the source
/// does not hold are left out on both sides (the writer rejects them).
/// </summary>
internal sealed class GraphDegreeCheck(ValidationContext context)
{
    private const string Nodes = "pg_temp.psum_validate_nodes";
    private const string Edges = "pg_temp.psum_validate_edges";
    private bool _started;
    private bool _sawGraph;

    public async Task AddAsync(SourceStep step, IReadOnlyList<UnifiedRecord> records, CancellationToken cancellationToken)
    {
        var table = step.Target.Name;
        if (records.Count == 0 || (table != UnifiedSchema.GraphNodes.Name && table != UnifiedSchema.GraphEdges.Name))
        {
            return;
        }

        if (!_started)
        {
            await context.ExecuteAsync("""
                CREATE TEMP TABLE IF NOT EXISTS psum_validate_nodes (source_name text, source_table text, legacy_id text, node_type text);
                CREATE TEMP TABLE IF NOT EXISTS psum_validate_edges (source_name text, edge text, direction text, node_table text, node_key text);
                TRUNCATE pg_temp.psum_validate_nodes, pg_temp.psum_validate_edges;
                """, cancellationToken);
            _started = true;
        }

        _sawGraph = true;
        var nodes = table == UnifiedSchema.GraphNodes.Name;
        await using var importer = await context.Target.BeginBinaryImportAsync(nodes
            ? $"COPY {Nodes} (source_name, source_table, legacy_id, node_type) FROM STDIN (FORMAT BINARY)"
            : $"COPY {Edges} (source_name, edge, direction, node_table, node_key) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var record in records)
        {
            if (nodes)
            {
                await WriteAsync(importer, [step.SourceName, step.SourceTable, record.LegacyId, (string?)record["node_type"]], cancellationToken);
                continue;
            }

            // One row per end of the edge: out for its source node (the first reference), in for its target node.
            foreach (var (direction, end) in new[] { ("out", record.References[0]), ("in", record.References[1]) })
            {
                if (end is { } key)
                {
                    await WriteAsync(importer, [step.SourceName, record.LegacyId, direction, key.SourceTable, key.LegacyId], cancellationToken);
                }
            }
        }

        await importer.CompleteAsync(cancellationToken);
    }

    private static async Task WriteAsync(NpgsqlBinaryImporter importer, string?[] values, CancellationToken cancellationToken)
    {
        await importer.StartRowAsync(cancellationToken);
        foreach (var value in values)
        {
            if (value is null)
            {
                await importer.WriteNullAsync(cancellationToken);
            }
            else
            {
                await importer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);
            }
        }
    }

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (!_sawGraph)
        {
            return;
        }

        var u = ValidationContext.U;
        var map = ValidationContext.IdMap;
        await using var command = new NpgsqlCommand($"""
            WITH source_ends AS (
                SELECT e.source_name, e.edge, e.direction, n.node_type
                FROM {Edges} AS e JOIN {Nodes} AS n
                  ON n.source_name = e.source_name AND n.source_table = e.node_table AND n.legacy_id = e.node_key),
            complete AS (SELECT source_name, edge FROM source_ends GROUP BY 1, 2 HAVING count(*) = 2),
            source_degrees AS (
                SELECT s.node_type, s.direction, count(*) AS degree
                FROM source_ends AS s JOIN complete AS c ON c.source_name = s.source_name AND c.edge = s.edge
                GROUP BY 1, 2),
            target_degrees AS (
                SELECT n.node_type, d.direction, count(*) AS degree
                FROM {u}.graph_edges AS e
                JOIN {map} AS m ON m.target_table = 'graph_edges' AND m.unified_id = e.id AND m.source_name = ANY($1)
                CROSS JOIN LATERAL (VALUES ('out', e.source_node_id), ('in', e.target_node_id)) AS d(direction, node_id)
                JOIN {u}.graph_nodes AS n ON n.id = d.node_id
                GROUP BY 1, 2)
            SELECT coalesce(s.node_type, t.node_type), coalesce(s.direction, t.direction), coalesce(s.degree, 0), coalesce(t.degree, 0)
            FROM source_degrees AS s FULL JOIN target_degrees AS t ON t.node_type IS NOT DISTINCT FROM s.node_type AND t.direction = s.direction
            ORDER BY 1, 2
            """, context.Target)
        {
            Parameters = { new() { Value = context.SourceNames } },
        };
        var differing = new List<string>();
        long types = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            types++;
            var (type, direction, expected, actual) = (reader.IsDBNull(0) ? "(none)" : reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3));
            if (expected != actual)
            {
                differing.Add(string.Create(CultureInfo.InvariantCulture, $"{type} {direction}-degree: source {expected}, target {actual}"));
            }
        }

        context.Report.Statistics["graph_degree_pairs_compared"] = types;
        context.Report.Add(new ValidationCheck("Degree per node type", differing.Count == 0, "the source's in- and out-degree totals per node type",
            differing.Count == 0 ? $"{types} node type and direction pairs equal" : $"{differing.Count} differ",
            string.Join("; ", differing), ValidationGroups.Relationships));
    }
}
