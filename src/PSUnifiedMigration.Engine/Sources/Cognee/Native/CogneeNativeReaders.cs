using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Sources.Cognee.Native;

/// <summary>
/// The readers of an installation's native stores (LanceDB collections, Kuzu and Ladybug graphs), opened through the
/// native reader helper. At analysis, a helper that is missing, or a store its packages cannot open, is a blocker
/// that names the store and the command that fixes it; during the run the same stores are opened again, pinned to
/// their state at that moment.
/// </summary>
internal sealed class CogneeNativeReaders(CogneeSession session, CogneeRelationalReader relational)
{
    private readonly List<CogneeCollectionReader> _collections = [];

    public CogneeNativeGraphReader? Graph { get; private set; }

    /// <summary>The readers, for the step dispatch: every LanceDB store's collections, then the graph stores.</summary>
    public IEnumerable<ICogneeStoreReader> Readers => _collections.Cast<ICogneeStoreReader>().Concat(Graph is null ? [] : [Graph]);

    public IEnumerable<CogneeVectorCollection> Collections => _collections.SelectMany(c => c.Collections);

    /// <summary>The datasets whose own LanceDB store, and whose own graph store, are read.</summary>
    public IReadOnlySet<string> VectorDatasets { get; private set; } = new HashSet<string>();

    public IReadOnlySet<string> GraphDatasets { get; private set; } = new HashSet<string>();

    /// <summary>What the plan's layout says about the native stores it reads.</summary>
    public string Layout => Opened.Count == 0 ? "" : $"; native stores: {string.Join(", ", Opened.Select(s => $"{s.Path} ({s.Description})"))}";

    private List<CogneeNativeStore> Opened { get; } = [];

    /// <summary>Opens every native store; with <paramref name="analysis"/>, adds their steps and the chunk dimensions, and blocks on what cannot be read.</summary>
    public async Task OpenAsync(CogneeAnalysis? analysis, Dictionary<int, long>? chunkDimensions, CancellationToken cancellationToken)
    {
        var stores = session.Stores.NativeStores;
        if (stores.Count == 0)
        {
            return;
        }

        var helper = session.Stores.NativeReaderFolder is { } folder ? new NativeReaderHelper(folder) : NativeReaderHelper.Locate();
        // npm lbug is not one of the helper's packages (see Remedy): a Ladybug store it cannot open blocks on its own.
        if (analysis is not null && await helper.ProblemAsync(stores.Select(s => s.Package).Where(p => p != "lbug").Distinct(), cancellationToken) is { } problem)
        {
            analysis.Issues.Add(session.Blocker("CogneeNativeReaderMissing",
                $"{string.Join(", ", stores.Select(s => $"{s.Path} ({s.Description})"))} can only be read through the native reader helper, and {problem}.",
                $"Install Node.js {NativeReaderHelper.MinimumNodeMajor} or later, then run: {helper.InstallCommand} (or set {NativeReaderHelper.FolderVariable} to a folder where reader.js and its packages are installed).",
                MigrationErrorKind.ObjectNotFound));
            return;
        }

        var graphs = new List<(CogneeNativeStore, long, long)>();
        foreach (var store in stores)
        {
            try
            {
                if (store.Kind == CogneeNativeKind.LanceDb)
                {
                    var reader = (await CogneeLanceCollections.OpenAsync(helper, store, cancellationToken)).Reader(session, relational);
                    _collections.Add(reader);
                    if (analysis is not null)
                    {
                        foreach (var (dimension, count) in reader.Analyze(analysis))
                        {
                            chunkDimensions![dimension] = chunkDimensions.GetValueOrDefault(dimension) + count;
                        }
                    }
                }
                else
                {
                    var (nodes, edges) = await CogneeNativeGraphReader.ProbeAsync(helper, store, cancellationToken);
                    graphs.Add((store, nodes, edges));
                }

                Opened.Add(store);
            }
            catch (MigrationException e) when (analysis is not null)
            {
                analysis.Issues.Add(session.Blocker("CogneeStoreUnreadable", $"{store.Path} is a {store.Description} that npm {store.Package} cannot open: {e.Message}", Remedy(store)));
            }
        }

        VectorDatasets = Opened.Where(s => s.Kind == CogneeNativeKind.LanceDb && s.DatasetId is not null).Select(s => s.DatasetId!).ToHashSet();
        GraphDatasets = Opened.Where(s => s.Kind != CogneeNativeKind.LanceDb && s.DatasetId is not null).Select(s => s.DatasetId!).ToHashSet();
        if (graphs.Count > 0)
        {
            Graph = new CogneeNativeGraphReader(session, helper, graphs);
            if (analysis is not null)
            {
                Graph.Analyze(analysis);
            }
        }
    }

    /// <summary>
    /// What to do about a store the pinned packages cannot open. Ladybug files of Cognee v1.0.4+ (Ladybug 0.16-0.19)
    /// are newer than npm's newest lbug (0.14.3), whose linux-x64 binding also needs glibc 2.38, so the helper does
    /// not ship it: their graph has to be exported first, by Cognee or by Ladybug itself.
    /// </summary>
    private static string Remedy(CogneeNativeStore store) => store.Kind switch
    {
        CogneeNativeKind.LanceDb =>
            "Check that the folder is a LanceDB database written by Cognee and that Cognee is not writing it; or switch Cognee's vector store to pgvector (VECTOR_DB_PROVIDER=pgvector) and re-index.",
        _ => $"Export the graph and migrate the export: with Cognee v1.2.0 or later run `await cognee.export(\"<dataset name>\", format=\"json\")`; "
            + $"or, in {(store.Kind == CogneeNativeKind.Kuzu ? "Kuzu" : "Ladybug")} itself, `EXPORT DATABASE '<export folder>' (format=\"parquet\")` on {store.Path}; "
            + "or export the graph to networkx node-link JSON and pass it with -GraphPath.",
    };
}
