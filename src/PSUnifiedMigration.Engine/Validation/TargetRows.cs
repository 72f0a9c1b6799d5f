using System.Text.Json.Nodes;
using Npgsql;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Validation;

/// <summary>A target row of a step as the source would see it: values, and references as the parent's legacy id.</summary>
internal sealed record TargetRow(object?[] Values, LegacyReference?[] References);

/// <summary>Fetches target rows by legacy id and compares them field by field with transformed source records: the truth behind every digest.</summary>
internal static class TargetRows
{
    public static async Task<Dictionary<string, TargetRow>> FetchAsync(NpgsqlConnection target, SourceStep step, string[] legacyIds, CancellationToken cancellationToken)
    {
        var table = step.Target;
        var columns = table.Columns.Select(c => c.Kind switch
        {
            ColumnKind.Json => $"t.{Sql.Quote(c.Name)}::text",
            ColumnKind.Vector or ColumnKind.CollectionVector => $"t.{Sql.Quote(c.Name)}::real[]",
            _ => $"t.{Sql.Quote(c.Name)}",
        });
        var references = table.References.SelectMany((_, i) => new[] { $"r{i}.source_table", $"r{i}.legacy_id" });
        await using var command = new NpgsqlCommand($"""
            SELECT m.legacy_id, {string.Join(", ", columns.Concat(references))}
            FROM {ValidationContext.StepRows(table)}
            WHERE m.source_name = $1 AND m.source_table = $2 AND m.legacy_id = ANY($3)
            """, target)
        {
            Parameters = { new() { Value = step.SourceName }, new() { Value = step.SourceTable }, new() { Value = legacyIds } },
        };
        var rows = new Dictionary<string, TargetRow>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var values = new object?[table.Columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i + 1) ? null
                    : table.Columns[i].Kind == ColumnKind.Timestamp ? new ExactTimestamp(reader.GetFieldValue<long>(i + 1))
                    : reader.GetValue(i + 1);
            }

            var refs = new LegacyReference?[table.References.Count];
            for (var i = 0; i < refs.Length; i++)
            {
                var at = 1 + values.Length + 2 * i;
                refs[i] = reader.IsDBNull(at) ? null : new LegacyReference(reader.GetString(at), reader.GetString(at + 1));
            }

            rows[reader.GetString(0)] = new TargetRow(values, refs);
        }

        return rows;
    }

    public static List<string> DifferingFields(UnifiedRecord expected, TargetRow actual)
    {
        var fields = new List<string>();
        for (var i = 0; i < expected.Values.Length; i++)
        {
            if (!ValueEquals(expected.Table.Columns[i].Kind, expected.Values[i], actual.Values[i]))
            {
                fields.Add(expected.Table.Columns[i].Name);
            }
        }

        for (var i = 0; i < expected.References.Length; i++)
        {
            if (expected.References[i] != actual.References[i])
            {
                fields.Add(expected.Table.References[i].Column);
            }
        }

        return fields;
    }

    private static bool ValueEquals(ColumnKind kind, object? expected, object? actual) => (kind, expected, actual) switch
    {
        (_, null, null) => true,
        (_, null, _) or (_, _, null) => false,
        (ColumnKind.Json, string e, string a) => JsonNode.DeepEquals(JsonNode.Parse(e, null, SourceJson.DocumentOptions), JsonNode.Parse(a, null, SourceJson.DocumentOptions)),
        // Bit for bit: a vector that drifted in its last bit is a difference.
        (ColumnKind.Vector or ColumnKind.CollectionVector, float[] e, float[] a) => e.Length == a.Length && e.Zip(a).All(p => BitConverter.SingleToInt32Bits(p.First) == BitConverter.SingleToInt32Bits(p.Second)),
        _ => Equals(expected, actual),
    };
}
