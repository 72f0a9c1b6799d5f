namespace PSUnifiedMigration.Engine.Targets;

/// <summary>
/// The one registry of projection stores. Its order is the order runs project, savepoints restore and messages name
/// the stores (PostgreSQL, the system of record, always comes first and is not listed). Adding a store means adding
/// its kind here; everything else it brings lives in its own folder under Targets/. Append, never reorder: savepoints
/// taken while the store was an enum name theirs by its position here plus one (SavepointStoreName).
/// </summary>
public static class TargetStores
{
    public static readonly IReadOnlyList<StoreKind> Registered =
    [
        Neo4j.Neo4jEndpoint.StoreKind,
        Qdrant.QdrantEndpoint.StoreKind,
    ];

    /// <summary>The configured stores in registry order; a kind configured twice is refused.</summary>
    public static IReadOnlyList<IStoreEndpoint> InOrder(IEnumerable<IStoreEndpoint?> endpoints)
    {
        var configured = endpoints.OfType<IStoreEndpoint>().ToList();
        if (configured.FirstOrDefault(e => !Registered.Contains(e.Kind)) is { } unknown)
        {
            throw new ArgumentException($"Store {unknown.Kind.Name} is not registered in TargetStores.", nameof(endpoints));
        }

        if (configured.GroupBy(e => e.Kind).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"Store {twice.Key.Name} is configured more than once.", nameof(endpoints));
        }

        return [.. configured.OrderBy(e => Registered.ToList().IndexOf(e.Kind))];
    }

    /// <summary>The registered stores' names joined for messages: "Neo4j and Qdrant", or with "then": "Neo4j, then Qdrant".</summary>
    public static string Names(string separator) => string.Join(separator, Registered.Select(k => k.Name));
}
