namespace PSUnifiedMigration.Sandbox.Cognee;

/// <summary>How the relational store ties data rows to datasets.</summary>
public enum RelationalLayout
{
    /// <summary>
    /// Cognee up to v1.4: a <c>data</c> row per content and owner, linked to its datasets through <c>dataset_data</c>
    /// (one row may belong to several datasets). Modelled on v1.4.2.
    /// </summary>
    DatasetData,

    /// <summary>
    /// Cognee v1.5 and later: <c>data.dataset_id</c>, no <c>dataset_data</c>; a row that several datasets shared
    /// was split by the upgrade, the copies carrying <c>legacy_id</c> = the shared row's id. Modelled on v1.5.2.
    /// </summary>
    DataDatasetId,
}

/// <summary>Where the knowledge graph goes.</summary>
public enum GraphLayout
{
    /// <summary>
    /// <c>databases/cognee_graph.pkl</c>: JSON, not a pickle, of networkx <c>node_link_data(G, edges="links")</c> of a
    /// MultiDiGraph, as Cognee's NetworkX adapter (up to v0.1.44) saves it.
    /// </summary>
    NetworkxFile,

    /// <summary>
    /// Rows in the relational graph ledger (<c>nodes</c>/<c>edges</c>), which Cognee v1.x writes beside the graph
    /// database (whose native stores, Kuzu or Ladybug, the sample cannot write).
    /// </summary>
    LedgerTables,

    /// <summary>
    /// Cognee's PostgreSQL graph store (GRAPH_DATABASE_PROVIDER=postgres): tables <c>graph_node</c> and
    /// <c>graph_edge</c> in the relational PostgreSQL database. Needs <see cref="CogneeSampleOptions.RelationalConnectionString"/>.
    /// </summary>
    PostgresTables,
}

public sealed record CogneeSampleOptions
{
    public RelationalLayout RelationalLayout { get; init; } = RelationalLayout.DataDatasetId;

    public GraphLayout GraphLayout { get; init; } = GraphLayout.LedgerTables;

    /// <summary>The <c>.cognee_system</c> directory; the stores go under its <c>databases/</c> folder, which must not hold them yet.</summary>
    public required string SystemRoot { get; init; }

    /// <summary>
    /// A PostgreSQL database for the relational store (DB_PROVIDER=postgres) instead of the SQLite file
    /// <c>databases/cognee_db</c>; it must not hold Cognee's tables yet.
    /// </summary>
    public string? RelationalConnectionString { get; init; }

    /// <summary>Where the ingested files are stored (Cognee's <c>.data_storage</c>); by default next to <see cref="SystemRoot"/>.</summary>
    public string? DataRoot { get; init; }

    /// <summary>
    /// A PostgreSQL database with the pgvector extension available (typically a <see cref="PgliteServer"/>) for the
    /// vector collections; null writes no vectors.
    /// </summary>
    public string? VectorConnectionString { get; init; }

    /// <summary>
    /// Write vector rows with batched INSERTs instead of binary COPY, for servers whose wire protocol cannot carry
    /// COPY FROM STDIN (PGlite's socket server).
    /// </summary>
    public bool UseInsertInsteadOfCopy { get; init; }

    /// <summary>
    /// Backend access control with pgvector's shared-database handler (v1.5): each dataset's collections in its own
    /// schema <c>ds_&lt;dataset id hex&gt;</c>, and a <c>dataset_database</c> row per dataset. Needs
    /// <see cref="RelationalLayout.DataDatasetId"/>, <see cref="GraphLayout.LedgerTables"/> and a vector database.
    /// </summary>
    public bool VectorSchemaPerDataset { get; init; }

    /// <summary>
    /// Adds early Cognee's (v0.1.3–v0.1.5) cognitive layers to the graph: nodes <c>COGNITIVE_LAYER__&lt;NAME&gt;</c>
    /// joined to the documents by <c>decomposed_as</c> edges. Only with <see cref="GraphLayout.NetworkxFile"/>: the
    /// ledger's node ids are UUIDs.
    /// </summary>
    public bool IncludeCognitiveLayers { get; init; }

    public int Users { get; init; } = 2;
    public int DatasetsPerUser { get; init; } = 2;
    public int DocumentsPerDataset { get; init; } = 3;
    public int ChunksPerDocument { get; init; } = 4;
    public int EntitiesPerChunk { get; init; } = 3;

    /// <summary>Embedding size of every collection (Cognee's default model has 3072; the unified deployment uses 768).</summary>
    public int Dimensions { get; init; } = 768;

    /// <summary>Ids, text, timestamps and vectors are a function of the options, this seed included.</summary>
    public int Seed { get; init; } = 42;
}

/// <summary>What <see cref="CogneeSample.CreateAsync"/> wrote, and where.</summary>
public sealed record CogneeSampleSummary
{
    public required RelationalLayout RelationalLayout { get; init; }
    public required GraphLayout GraphLayout { get; init; }

    /// <summary>The Cognee release whose schema and payloads the sample follows (1.4.2 or 1.5.2).</summary>
    public required string ModelledCogneeVersion { get; init; }

    public required string SystemRoot { get; init; }

    /// <summary>The SQLite file <c>databases/cognee_db</c>, or null when the relational store is PostgreSQL.</summary>
    public string? RelationalDatabasePath { get; init; }

    /// <summary>The node-link JSON file <c>databases/cognee_graph.pkl</c>, or null with the ledger layout.</summary>
    public string? GraphFilePath { get; init; }

    public required string DataRoot { get; init; }

    /// <summary>The vector database's connection string without its password, or null when no vectors were written.</summary>
    public string? VectorConnectionString { get; init; }

    /// <summary>The PostgreSQL schemas holding the collection tables (one, or one per dataset).</summary>
    public required IReadOnlyList<string> VectorSchemas { get; init; }

    public required int Dimensions { get; init; }

    // Relational rows.
    public required int Principals { get; init; }
    public required int Users { get; init; }
    public required int Tenants { get; init; }
    public required int Roles { get; init; }
    public required int UserRoles { get; init; }
    public required int UserTenants { get; init; }
    public required int Permissions { get; init; }
    public required int Acls { get; init; }
    public required int Datasets { get; init; }

    /// <summary>Rows of <c>data</c>, split copies (<c>legacy_id</c> set) included.</summary>
    public required int DataRows { get; init; }

    /// <summary>Rows of <c>data</c> whose <c>legacy_id</c> is set (v1.5 layout only).</summary>
    public required int LegacyDataRows { get; init; }

    public required int DatasetDataLinks { get; init; }
    public required int DatasetDatabases { get; init; }
    public required int LedgerNodes { get; init; }
    public required int LedgerEdges { get; init; }

    // Data points (distinct ids).
    public required int Documents { get; init; }
    public required int Chunks { get; init; }
    public required int Summaries { get; init; }
    public required int Entities { get; init; }
    public required int EntityTypes { get; init; }
    public required int NodeSets { get; init; }

    /// <summary>Distinct edge texts, each an <c>EdgeType</c> data point.</summary>
    public required int EdgeTypes { get; init; }

    /// <summary>Rows per collection table (<c>DocumentChunk_text</c>, ...), summed over the vector schemas.</summary>
    public required IReadOnlyDictionary<string, int> VectorRows { get; init; }

    // The networkx graph (zero with the ledger layout).
    public required int GraphNodes { get; init; }
    public required int GraphEdges { get; init; }
    public required int CognitiveLayers { get; init; }

    /// <summary>Files written under <see cref="DataRoot"/> (one per distinct content).</summary>
    public required int RawFiles { get; init; }
}
