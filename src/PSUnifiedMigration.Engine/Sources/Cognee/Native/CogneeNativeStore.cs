namespace PSUnifiedMigration.Engine.Sources.Cognee.Native;

/// <summary>What a native Cognee store is, and so which npm package reads it.</summary>
public enum CogneeNativeKind
{
    /// <summary>A LanceDB database (a folder of &lt;collection&gt;.lance tables): npm @lancedb/lancedb.</summary>
    LanceDb,

    /// <summary>A Kuzu database (Cognee v0.2-v1.0.3): npm kuzu.</summary>
    Kuzu,

    /// <summary>A Ladybug database (Cognee v1.0.4+, a Kuzu fork): npm lbug.</summary>
    Ladybug,
}

/// <summary>
/// One native store of a Cognee installation, with the dataset it belongs to when backend access control gave the
/// dataset a store of its own. File names as Cognee's handlers write them (checked against topoteretes/cognee:
/// vector/lancedb/LanceDBDatasetDatabaseHandler.py, graph/ladybug/LadybugDatasetDatabaseHandler.py,
/// graph/kuzu/KuzuDatasetDatabaseHandler.py, utils/get_or_create_dataset_database.py):
/// shared stores databases/cognee.lancedb, cognee_graph_kuzu, cognee_graph_ladybug; per dataset
/// databases/&lt;user id&gt;/&lt;dataset id&gt;.lance.db, .lbug (Ladybug) and .pkl (a Kuzu database, not a graph file).
/// </summary>
public sealed record CogneeNativeStore(string Path, CogneeNativeKind Kind, string? DatasetId)
{
    /// <summary>A short name unique within the installation, used in step names: the dataset id, or "shared".</summary>
    public string Label => (DatasetId ?? "shared") + (Kind == CogneeNativeKind.LanceDb ? "" : Kind == CogneeNativeKind.Kuzu ? "/kuzu" : "/lbug");

    public string Description => Kind switch
    {
        CogneeNativeKind.LanceDb => "LanceDB vector store",
        CogneeNativeKind.Kuzu => "Kuzu graph database",
        _ => "Ladybug graph database",
    } + (DatasetId is null ? "" : $" of dataset {DatasetId}");

    /// <summary>The npm package and the helper's engine name that open this store.</summary>
    public string Package => Kind switch
    {
        CogneeNativeKind.LanceDb => "@lancedb/lancedb",
        CogneeNativeKind.Kuzu => "kuzu",
        _ => "lbug",
    };

    /// <summary>The native stores under a databases/ folder and one level down (databases/&lt;user id&gt;/).</summary>
    public static IReadOnlyList<CogneeNativeStore> Find(string databases)
    {
        if (!Directory.Exists(databases))
        {
            return [];
        }

        var found = new List<CogneeNativeStore>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(databases).Order(StringComparer.Ordinal))
        {
            var name = System.IO.Path.GetFileName(entry);
            if (Shared(name) is { } kind)
            {
                found.Add(new CogneeNativeStore(entry, kind, null));
            }
            else if (Directory.Exists(entry) && Guid.TryParse(name, out _))
            {
                found.AddRange(Directory.EnumerateFileSystemEntries(entry).Order(StringComparer.Ordinal)
                    .Select(PerDataset).OfType<CogneeNativeStore>());
            }
        }

        return found;
    }

    private static CogneeNativeKind? Shared(string name) => name switch
    {
        _ when name.EndsWith(".lancedb", StringComparison.OrdinalIgnoreCase) => CogneeNativeKind.LanceDb,
        _ when name.Equals("cognee_graph_kuzu", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".kuzu", StringComparison.OrdinalIgnoreCase) => CogneeNativeKind.Kuzu,
        _ when name.Equals("cognee_graph_ladybug", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".ladybug", StringComparison.OrdinalIgnoreCase) => CogneeNativeKind.Ladybug,
        _ => null,
    };

    /// <summary>&lt;dataset id&gt;.lance.db, .lbug or .pkl; a Kuzu or Ladybug write-ahead log (.wal) is part of its database.</summary>
    private static CogneeNativeStore? PerDataset(string entry)
    {
        var name = System.IO.Path.GetFileName(entry);
        foreach (var (suffix, kind) in new[] { (".lance.db", CogneeNativeKind.LanceDb), (".lbug", CogneeNativeKind.Ladybug), (".pkl", CogneeNativeKind.Kuzu) })
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && Guid.TryParse(name[..^suffix.Length], out var dataset))
            {
                return new CogneeNativeStore(entry, kind, dataset.ToString("D"));
            }
        }

        return null;
    }
}
