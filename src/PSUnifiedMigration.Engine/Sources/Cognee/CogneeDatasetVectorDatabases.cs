using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// pgvector's default dataset handler ("pgvector", cognee/infrastructure/databases/vector/pgvector/
/// PGVectorDatasetDatabaseHandler.py) gives every dataset a PostgreSQL database of its own, named after the dataset id,
/// on the server its dataset_database row names (connection info host and port). A source reads one vector database,
/// so each such dataset is either the one given with -VectorConnectionString, or a plan issue that names it: a blocker
/// when the given database is none of them (nothing would read them), a warning for the others when it is one of them
/// (each is migrated by its own source). Never silent; credentials in the connection info are never printed.
/// </summary>
internal static class CogneeDatasetVectorDatabases
{
    public const string OwnDatabaseHandler = "pgvector";

    public static IEnumerable<MigrationPlanIssue> Check(CogneeSession session, IReadOnlyList<CogneeDatasetDatabase> rows)
    {
        var own = rows.Where(r => r.VectorProvider.Equals("pgvector", StringComparison.OrdinalIgnoreCase)
            && r.VectorHandler == OwnDatabaseHandler && r.VectorSchema is null).ToList();
        if (own.Count == 0)
        {
            yield break;
        }

        var given = session.Stores.Vectors?.Database;
        var read = own.FirstOrDefault(r => r.VectorName == given);
        var others = own.Where(r => r != read).ToList();
        if (others.Count == 0)
        {
            yield break;
        }

        var where = string.Join(", ", others.Take(5).Select(Location)) + (others.Count > 5 ? ", ..." : "");
        var remedy = $"Migrate each dataset with a source of its own: New-MigrationSource -Cognee ... -VectorConnectionString naming that dataset's database ({where}). " +
            "The relational rows are the same each time and upsert without duplicates.";
        yield return read is null
            ? session.Blocker("CogneeDatasetVectorDatabases",
                $"the vectors of {Datasets(others)} are each in a PostgreSQL database of their own (pgvector dataset handler), which this source does not read.", remedy)
            : session.Warning("CogneeDatasetVectorDatabasesElsewhere",
                $"this source reads the vectors of dataset {read.DatasetId} (database {read.VectorName}); those of {Datasets(others)} are in databases of their own and are not read by it.", remedy);
    }

    /// <summary>The dataset's database and the server the row names (host and port only: never a user or password).</summary>
    private static string Location(CogneeDatasetDatabase row)
    {
        var host = row.VectorInfo["host"]?.ToString();
        var port = row.VectorInfo["port"]?.ToString();
        return string.IsNullOrEmpty(host) ? row.VectorName : $"{row.VectorName} on {host}{(string.IsNullOrEmpty(port) ? "" : ":" + port)}";
    }

    private static string Datasets(IReadOnlyList<CogneeDatasetDatabase> rows) =>
        rows.Count == 1 ? $"dataset {rows[0].DatasetId}" : $"{rows.Count} datasets ({string.Join(", ", rows.Take(5).Select(r => r.DatasetId))}{(rows.Count > 5 ? ", ..." : "")})";
}
