using System.Globalization;
using Npgsql;
using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Validation;

/// <summary>
/// The target's vectors of the plan's sources, checked inside PostgreSQL: the store's dimension for chunks, one
/// dimension per data point collection, only finite values, and well-formed sparse vectors (as many indices as
/// values). That each vector equals its source's bit for bit is part of the content digest.
/// </summary>
internal static class VectorCheck
{
    // Array overlap runs in C, far faster than unnesting; real's equality holds NaN equal to NaN.
    private const string NonFinite = "{0}::real[] && '{{NaN,Infinity,-Infinity}}'::real[]";

    public static async Task CheckAsync(ValidationContext context, CancellationToken cancellationToken)
    {
        var u = ValidationContext.U;
        await using (var command = new NpgsqlCommand($"""
            SELECT count(*) FILTER (WHERE dense_vector IS NOT NULL),
                   count(*) FILTER (WHERE $2::int IS NOT NULL AND cardinality(dense_vector::real[]) <> $2),
                   count(*) FILTER (WHERE {string.Format(CultureInfo.InvariantCulture, NonFinite, "dense_vector")}),
                   count(*) FILTER (WHERE sparse_vector IS NOT NULL),
                   count(*) FILTER (WHERE sparse_vector IS NOT NULL AND CASE
                       WHEN jsonb_typeof(sparse_vector->'indices') = 'array' AND jsonb_typeof(sparse_vector->'values') = 'array'
                       THEN jsonb_array_length(sparse_vector->'indices') <> jsonb_array_length(sparse_vector->'values') ELSE true END)
            FROM {u}.chunks WHERE source_name = ANY($1)
            """, context.Target))
        {
            command.Parameters.Add(new() { Value = context.SourceNames });
            command.Parameters.Add(new() { Value = (object?)context.Plan.VectorDimensions ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var (dense, wrongDimension, nonFinite, sparse, malformed) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
            context.Report.Statistics["chunks:dense_vectors"] = dense;
            context.Report.Statistics["chunks:sparse_vectors"] = sparse;
            Add(context, "Vector dimension chunks", wrongDimension, $"every dense vector of {context.Plan.VectorDimensions?.ToString(CultureInfo.InvariantCulture) ?? "the store's"} dimensions");
            Add(context, "Vector values finite chunks", nonFinite, "no NaN or Infinity");
            Add(context, "Sparse vectors chunks", malformed, "as many indices as values");
        }

        await using (var command = new NpgsqlCommand($"""
            SELECT collection, min(cardinality(vector::real[])), max(cardinality(vector::real[])),
                   count(*) FILTER (WHERE {string.Format(CultureInfo.InvariantCulture, NonFinite, "vector")})
            FROM {u}.data_point_vectors WHERE source_name = ANY($1) GROUP BY collection ORDER BY collection
            """, context.Target))
        {
            command.Parameters.Add(new() { Value = context.SourceNames });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var collection = reader.GetString(0);
                context.Report.Add(new ValidationCheck($"Vector dimension {collection}", reader.GetInt32(1) == reader.GetInt32(2), "one dimension per collection",
                    $"{reader.GetInt32(1)} to {reader.GetInt32(2)}", "", ValidationGroups.Vectors));
                Add(context, $"Vector values finite {collection}", reader.GetInt64(3), "no NaN or Infinity");
            }
        }
    }

    private static void Add(ValidationContext context, string name, long failing, string expected) =>
        context.Report.Add(new ValidationCheck(name, failing == 0, expected, $"{failing} row(s) failing",
            failing == 0 ? "" : "Run Invoke-Migration again; the source's values are checked on the way in.", ValidationGroups.Vectors));
}
