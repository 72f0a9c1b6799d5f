using PSUnifiedMigration.Engine.Records;
namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>Where a Cognee installation's graph lives, as far as this module can read it.</summary>
public enum CogneeGraphStore
{
    /// <summary>No graph store was found or given.</summary>
    None,

    /// <summary>databases/cognee_graph.pkl: networkx node-link JSON (Cognee up to v0.1.44).</summary>
    NetworkxFile,

    /// <summary>The relational graph ledger tables nodes/edges (Cognee v1.x).</summary>
    LedgerTables,

    /// <summary>PostgreSQL graph tables graph_node/graph_edge (GRAPH_DATABASE_PROVIDER=postgres), per-dataset schemas included.</summary>
    PostgresTables,
}

/// <summary>
/// The stores of a Cognee installation: its relational database (the SQLite file, or PostgreSQL), its graph and its
/// vectors. Found under a system root (<c>.cognee_system</c>) or given one by one. Stores this module cannot read are
/// listed so the plan can block on them.
/// </summary>
public sealed record CogneeStores(string? SqlitePath, string? GraphFilePath, string? SystemRoot) : ISourceLocation
{
    string ISourceLocation.ConnectionString => ToString();

    /// <summary>Cognee names no schema: its stores are found by their tables.</summary>
    string ISourceLocation.Schema => "";

    string ISourceLocation.Display => ToString();

    IEnumerable<Connections.PostgresEndpoint> ISourceLocation.Databases =>
        new[] { Relational, GraphDatabase, Vectors }.OfType<Connections.PostgresEndpoint>().DistinctBy(e => e.Redacted);

    /// <summary>Cognee's relational database when it is PostgreSQL (DB_PROVIDER=postgres); then there is no SQLite file.</summary>
    public Connections.PostgresEndpoint? Relational { get; init; }

    /// <summary>
    /// The PostgreSQL database with Cognee's graph tables graph_node/graph_edge, when it is not the relational
    /// database (which is searched for them by default).
    /// </summary>
    public Connections.PostgresEndpoint? GraphDatabase { get; init; }

    /// <summary>The PostgreSQL database holding Cognee's pgvector collections, when it uses pgvector.</summary>
    public Connections.PostgresEndpoint? Vectors { get; init; }

    public const string RelationalFile = "cognee_db";
    public const string GraphFile = "cognee_graph.pkl";

    /// <summary>The NetworkX adapter's file in Cognee v0.2.0-v0.2.3 (the same node-link JSON, renamed).</summary>
    public const string NetworkxGraphFile = "cognee_graph_networkx";

    /// <summary>
    /// LanceDB, Kuzu and Ladybug stores found under databases/ and, per dataset, databases/&lt;user id&gt;/: read
    /// through the Node.js native reader helper.
    /// </summary>
    public IReadOnlyList<Native.CogneeNativeStore> NativeStores { get; init; } = [];

    /// <summary>The folder of the native reader helper (reader.js and its node_modules); null: PSUM_NATIVE_READER, else the module's native-reader/.</summary>
    public string? NativeReaderFolder { get; init; }

    /// <summary>Finds the default files under a Cognee system root (the folder holding databases/).</summary>
    public static CogneeStores Locate(string systemRoot)
    {
        var root = Path.GetFullPath(systemRoot);
        var databases = Directory.Exists(Path.Combine(root, "databases")) ? Path.Combine(root, "databases") : root;
        var graph = new[] { GraphFile, NetworkxGraphFile }.Select(name => Path.Combine(databases, name)).FirstOrDefault(File.Exists);
        return new CogneeStores(Path.Combine(databases, RelationalFile), graph, root)
        {
            NativeStores = Native.CogneeNativeStore.Find(databases),
        };
    }

    /// <summary>Stores given one by one; the SQLite file's folder is still searched for native stores.</summary>
    public static CogneeStores ForFiles(string sqlitePath, string? graphFilePath) =>
        new(sqlitePath, graphFilePath, null) { NativeStores = Native.CogneeNativeStore.Find(Path.GetDirectoryName(Path.GetFullPath(sqlitePath))!) };

    /// <summary>An installation whose relational database is PostgreSQL.</summary>
    public static CogneeStores ForPostgres(Connections.PostgresEndpoint relational) => new(null, null, null) { Relational = relational };

    /// <summary>Where the relational database is, safe to print.</summary>
    public string RelationalLocation => Relational?.Redacted ?? SqlitePath ?? "(none)";

    public override string ToString() =>
        (Relational is null ? $"sqlite {SqlitePath}" : $"postgres {Relational.Redacted}") + (GraphFilePath is null ? "" : $", graph {GraphFilePath}")
        + (GraphDatabase is null ? "" : $", graph tables {GraphDatabase.Redacted}") + (Vectors is null ? "" : $", pgvector {Vectors.Redacted}");
}
