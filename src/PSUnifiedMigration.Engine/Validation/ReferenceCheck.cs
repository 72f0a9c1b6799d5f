using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Validation;

/// <summary>Every reference in the unified store points at an existing row: a chunk's project, dataset and document, an edge's two nodes, and the rest.</summary>
internal static class ReferenceCheck
{
    public static async Task CheckAsync(ValidationContext context, CancellationToken cancellationToken)
    {
        foreach (var table in UnifiedSchema.Tables)
        {
            foreach (var reference in table.References)
            {
                await using var command = new Npgsql.NpgsqlCommand($"""
                    WITH orphans AS (
                        SELECT c.id FROM {ValidationContext.U}.{Sql.Quote(table.Name)} AS c
                        WHERE c.{Sql.Quote(reference.Column)} IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM {ValidationContext.U}.{Sql.Quote(reference.ParentTable)} AS p WHERE p.id = c.{Sql.Quote(reference.Column)}))
                    SELECT (SELECT count(*) FROM orphans), ARRAY(SELECT id FROM orphans ORDER BY id LIMIT 10)
                    """, context.Target);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                var orphans = reader.GetInt64(0);
                var first = reader.GetFieldValue<Guid[]>(1);
                context.Report.Add(new ValidationCheck($"References {table.Name}.{reference.Column}", orphans == 0, "0 orphans", $"{orphans} orphans",
                    orphans > 0 ? $"{orphans} row(s) of unified.{table.Name} point at a missing {reference.ParentTable} row, among them {string.Join(", ", first)}." : "",
                    ValidationGroups.Relationships));
            }
        }
    }
}
