using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Targets;

/// <summary>
/// A kind of projection store, as the rest of the engine sees it. <see cref="Name"/> is the store's word everywhere:
/// the savepoint part's store (kept as text in the bookkeeping row, so it must never change for a registered store),
/// the first word of its validation checks, and the ending of its difference kinds (MissingIn&lt;Name&gt;).
/// </summary>
/// <param name="Name">"Neo4j", "Qdrant".</param>
/// <param name="Role">What the store holds.</param>
/// <param name="VectorTolerance">How far a vector read back from the store may drift from PostgreSQL's (0: exact, or no vectors).</param>
public sealed record StoreKind(string Name, StoreRole Role, double VectorTolerance = 0)
{
    /// <summary>Whether a validation difference is this store's: its Kind ends in "In" and the store's name.</summary>
    public bool Owns(ValidationDifference difference) => difference.Kind.EndsWith("In" + Name, StringComparison.Ordinal);

    /// <summary>Whether a validation check is one of this store's cross-store checks: they are named after the store.</summary>
    public bool Owns(ValidationCheck check) => check.Group == ValidationGroups.CrossStore && check.Name.StartsWith(Name, StringComparison.Ordinal);

    public override string ToString() => Name;
}
