namespace PSUnifiedMigration.Engine.Sources.Cognee.Relational;

/// <summary>
/// Which dataset a data row belongs to, in each relational era: up to v1.4 through the link table dataset_data (a
/// row may be in several datasets; the earliest link wins, all are kept), from v1.5 in data.dataset_id. A
/// half-finished v1.5 upgrade has the column but leaves it NULL while dataset_data still exists: the link table
/// answers for those rows.
/// </summary>
internal static class CogneeDataDatasets
{
    /// <summary>The dataset of the data row <paramref name="alias"/> as an SQL expression (NULL when nothing says).</summary>
    public static string First(CogneeCatalog catalog, string alias)
    {
        var link = catalog.Has("dataset_data")
            ? $"""(SELECT dd."dataset_id" FROM "dataset_data" AS dd WHERE dd."data_id" = {alias}."id" ORDER BY {(catalog.HasColumn("dataset_data", "created_at") ? "dd.\"created_at\", " : "")}dd."dataset_id" LIMIT 1)"""
            : "NULL";
        return catalog.DataHasDatasetColumn ? $"coalesce({alias}.\"dataset_id\", {link})" : link;
    }

    /// <summary>Every linked dataset of a row the link table places (a comma list), NULL for a row with data.dataset_id.</summary>
    public static string Links(CogneeCatalog catalog, CogneeDatabase database, string alias)
    {
        if (!catalog.Has("dataset_data"))
        {
            return "NULL";
        }

        var links = $"""(SELECT {database.ListAggregate("dd.\"dataset_id\"")} FROM "dataset_data" AS dd WHERE dd."data_id" = {alias}."id")""";
        return catalog.DataHasDatasetColumn ? $"CASE WHEN {alias}.\"dataset_id\" IS NULL THEN {links} END" : links;
    }

    /// <summary>Whether this is a half-finished v1.5 upgrade: data.dataset_id beside a dataset_data table.</summary>
    public static bool HalfUpgraded(CogneeCatalog catalog) => catalog.DataHasDatasetColumn && catalog.Has("dataset_data");

    /// <summary>How many data rows belong to no dataset, by every rule above.</summary>
    public static long Orphans(CogneeDatabase database, CogneeCatalog catalog) =>
        catalog.DataHasDatasetColumn || catalog.Has("dataset_data")
            ? database.ScalarLong($"SELECT count(*) FROM \"data\" AS d WHERE {First(catalog, "d")} IS NULL")
            : 0;
}
