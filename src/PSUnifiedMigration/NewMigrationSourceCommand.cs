using System.Management.Automation;
using System.Security;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Sources.ClaudeContext;
using PSUnifiedMigration.Engine.Sources.ClaudeContext.Qdrant;
using PSUnifiedMigration.Engine.Targets.Qdrant;
using PSUnifiedMigration.Engine.Sources.ClaudeContext.Milvus;
using PSUnifiedMigration.Engine.Sources.Cognee;

namespace PSUnifiedMigration;

/// <summary>New-MigrationSource: describes an installation to migrate from. Connects to nothing.</summary>
[Cmdlet(VerbsCommon.New, "MigrationSource", HelpUri = ModuleLinks.CmdletHelp + "New-MigrationSource.md", DefaultParameterSetName = ClaudeContextSet)]
[OutputType(typeof(MigrationSource))]
public sealed class NewMigrationSourceCommand : MigrationCmdletBase
{
    private const string ClaudeContextSet = "ClaudeContext";
    private const string CogneeSet = "Cognee";
    private const string ClaudeContextMilvusSet = "ClaudeContextMilvus";

    [Parameter(Mandatory = true, ParameterSetName = ClaudeContextSet)]
    [Parameter(Mandatory = true, ParameterSetName = ClaudeContextMilvusSet)]
    public SwitchParameter ClaudeContext { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = CogneeSet)]
    public SwitchParameter Cognee { get; set; }

    /// <summary>
    /// Claude-Context's PostgreSQL database (optional with -QdrantUri); with -Cognee, Cognee's relational database when
    /// it is PostgreSQL.
    /// </summary>
    [Parameter(Position = 0, ParameterSetName = ClaudeContextSet)]
    [Parameter(ParameterSetName = CogneeSet)]
    [ValidateNotNullOrEmpty]
    public string ConnectionString { get; set; } = "";

    /// <summary>The PostgreSQL credential: Claude-Context's database, or Cognee's PostgreSQL stores.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Stable name of the source; it keys the id map, so keep it the same across runs.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(ParameterSetName = ClaudeContextSet)]
    [ValidateNotNullOrEmpty]
    public string Schema { get; set; } = "claude_context";

    /// <summary>claude-context-core's Qdrant (http or https REST address): its collections are read, alone or with -ConnectionString.</summary>
    [Parameter(ParameterSetName = ClaudeContextSet)]
    [ValidateNotNullOrEmpty]
    public string? QdrantUri { get; set; }

    /// <summary>That Qdrant's API key, sent in the api-key header and never shown.</summary>
    [Parameter(ParameterSetName = ClaudeContextSet)]
    public SecureString? QdrantApiKey { get; set; }

    /// <summary>Upstream Claude-Context's Milvus or Zilliz Cloud server (REST API v2), e.g. http://milvus01:19530.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClaudeContextMilvusSet)]
    [ValidateNotNullOrEmpty]
    public string? MilvusUri { get; set; }

    /// <summary>The Milvus token (a Zilliz Cloud API key, or user:password); sent only as the Bearer header.</summary>
    [Parameter(ParameterSetName = ClaudeContextMilvusSet)]
    public SecureString? Token { get; set; }

    /// <summary>Upstream's mcp-codebase-snapshot.json, naming each collection's codebase; default ~/.context/mcp-codebase-snapshot.json.</summary>
    [Parameter(ParameterSetName = ClaudeContextMilvusSet)]
    [ValidateNotNullOrEmpty]
    public string? CodebaseSnapshotPath { get; set; }

    /// <summary>Cognee's system root (.cognee_system): its databases/ folder is searched for the stores.</summary>
    [Parameter(Position = 0, ParameterSetName = CogneeSet)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Cognee's relational SQLite database, when it is not databases/cognee_db under -Path.</summary>
    [Parameter(ParameterSetName = CogneeSet)]
    [ValidateNotNullOrEmpty]
    public string? SqlitePath { get; set; }

    /// <summary>Cognee's networkx graph file, when it is not databases/cognee_graph.pkl under -Path, or a cognee.export(format="json") file.</summary>
    [Parameter(ParameterSetName = CogneeSet)]
    [ValidateNotNullOrEmpty]
    public string? GraphPath { get; set; }

    /// <summary>The PostgreSQL database holding Cognee's graph tables graph_node/graph_edge, when it is not the relational one.</summary>
    [Parameter(ParameterSetName = CogneeSet)]
    [ValidateNotNullOrEmpty]
    public string? GraphConnectionString { get; set; }

    /// <summary>The PostgreSQL database holding Cognee's pgvector collections.</summary>
    [Parameter(ParameterSetName = CogneeSet)]
    [ValidateNotNullOrEmpty]
    public string? VectorConnectionString { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            WriteObject(ParameterSetName switch
            {
                CogneeSet => CogneeSource(),
                ClaudeContextMilvusSet => MilvusSource(),
                _ => ClaudeContextSource(),
            });
        }
        catch (MigrationException e)
        {
            ThrowAsTerminating(e);
        }
    }

    private MigrationSource ClaudeContextSource()
    {
        var endpoint = MyInvocation.BoundParameters.ContainsKey(nameof(ConnectionString)) ? ConnectionParameters.Endpoint(ConnectionString, Credential) : null;
        var qdrant = QdrantUri is null ? null : QdrantEndpoint.Parse(QdrantUri, QdrantApiKey);
        var database = endpoint is null ? null : new ClaudeContextLocation(endpoint, Schema);
        var name = Name ?? (endpoint is not null ? $"claude-context@{endpoint.Host}:{endpoint.Port}/{endpoint.Database}" : $"claude-context@{qdrant?.Display}");
        return (database, qdrant) switch
        {
            (_, not null) => new MigrationSource(ClaudeContextReader.Kind, name, new ClaudeContextQdrantLocation(qdrant, database)),
            (not null, null) => new MigrationSource(ClaudeContextReader.Kind, name, database),
            _ => throw new MigrationException("ClaudeContextStoreNotGiven", MigrationErrorKind.InvalidArgument,
                "Say where the Claude-Context installation is: -ConnectionString <its PostgreSQL database>, -QdrantUri <its Qdrant>, or both.", null),
        };
    }

    private MigrationSource MilvusSource()
    {
        var location = MilvusLocation.Parse(MilvusUri!, Token, codebaseSnapshotPath: CodebaseSnapshotPath is null ? null : FileSystemPath(CodebaseSnapshotPath));
        return new MigrationSource(ClaudeContextReader.Kind, Name ?? $"claude-context@{location.Uri.Authority}", location);
    }

    private MigrationSource CogneeSource()
    {
        var relational = MyInvocation.BoundParameters.ContainsKey(nameof(ConnectionString)) ? ConnectionParameters.Endpoint(ConnectionString, Credential) : null;
        if (Path is null && SqlitePath is null && relational is null)
        {
            throw new MigrationException("CogneeStoreNotGiven", MigrationErrorKind.InvalidArgument,
                "Say where the Cognee installation is: -Path <its .cognee_system folder>, -SqlitePath <its SQLite database>, or -ConnectionString <its PostgreSQL database>.", null);
        }

        if (relational is not null && SqlitePath is not null)
        {
            throw new MigrationException("CogneeRelationalStoreAmbiguous", MigrationErrorKind.InvalidArgument,
                "Give Cognee's relational database once: -SqlitePath for SQLite, or -ConnectionString for PostgreSQL, not both.", null);
        }

        var stores = Path is not null ? CogneeStores.Locate(FileSystemPath(Path))
            : SqlitePath is not null ? CogneeStores.ForFiles(FileSystemPath(SqlitePath), null)
            : CogneeStores.ForPostgres(relational!);
        stores = stores with
        {
            SqlitePath = relational is not null ? null : SqlitePath is null ? stores.SqlitePath : FileSystemPath(SqlitePath),
            Relational = relational,
            GraphFilePath = GraphPath is null ? stores.GraphFilePath : FileSystemPath(GraphPath),
            GraphDatabase = GraphConnectionString is null ? null : ConnectionParameters.Endpoint(GraphConnectionString, Credential),
            Vectors = VectorConnectionString is null ? null : ConnectionParameters.Endpoint(VectorConnectionString, Credential),
        };
        return new MigrationSource(CogneeReader.Kind, Name ?? $"cognee@{stores.SystemRoot ?? relational?.Display ?? stores.SqlitePath}", stores);
    }

    /// <summary>A path as PowerShell means it (relative to the current location, ~ expanded).</summary>
    private string FileSystemPath(string path) => GetUnresolvedProviderPathFromPSPath(path);
}
