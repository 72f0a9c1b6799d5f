namespace PSUnifiedMigration.Engine.Model;

public enum PlanIssueSeverity
{
    Warning,
    Blocker,
}

/// <summary>
/// Something analysis found that the operator must know (a warning) or fix first (a blocker). Whoever raises it
/// says what kind of error it is, so the cmdlet reports a blocker in the right category without knowing its code.
/// </summary>
public sealed record MigrationPlanIssue(PlanIssueSeverity Severity, string Code, string Message, string? Remedy, string? Subject,
    MigrationErrorKind Kind = MigrationErrorKind.InvalidOperation)
{
    /// <summary>A blocker from a failure: its id and kind, the message prefixed with what failed.</summary>
    public static MigrationPlanIssue Blocker(MigrationException failure, string prefix, string? subject) =>
        new(PlanIssueSeverity.Blocker, failure.ErrorId, $"{prefix}: {failure.Message}", null, subject, failure.Kind);

    public override string ToString() => Remedy is null ? Message : $"{Message} {Remedy}";
}

/// <summary>One source table as analysis found it.</summary>
public sealed record SourceTableAnalysis(
    string Table,
    long Rows,
    long Bytes,
    string KeyColumn,
    string KeyType,
    bool KeyIsUnique,
    IReadOnlyList<string> CarriedColumns)
{
    public override string ToString() => $"{Table}: {DisplayText.Count(Rows)} rows, {DisplayText.Size(Bytes)}, key {KeyColumn} ({KeyType}{(KeyIsUnique ? ", unique" : "")})";


    /// <summary>Vector dimensions found in the table (a vector collection), with how many rows have each.</summary>
    public IReadOnlyDictionary<int, long>? VectorDimensions { get; init; }

    /// <summary>For a chunk collection, the layout its columns were recognised as (e.g. hybrid, crawl4ai); null for other tables.</summary>
    public string? Layout { get; init; }

    /// <summary>Records whose id repeats an earlier one's; they are rejected (RecordIdDuplicate).</summary>
    public long DuplicateIds { get; init; }
}

public sealed record SourceAnalysis(
    string SourceName,
    Sources.SourceKind System,
    string ServerVersion,
    string Layout,
    IReadOnlyList<SourceTableAnalysis> Tables,
    string? VectorColumn,
    string? VectorType,
    IReadOnlyDictionary<int, long> VectorDimensions,
    long ChunksWithoutVector)
{
    public override string ToString() => $"{SourceName} ({System}, {Layout} layout, PostgreSQL {ServerVersion}): {Tables.Count} table(s), {DisplayText.Count(Tables.Sum(t => t.Rows))} rows";


    /// <summary>Hash of the source's tables and columns; a run refuses a source whose shape changed since the plan.</summary>
    public string CatalogFingerprint { get; init; } = "";
}

public sealed record TargetTableAnalysis(string Table, long Rows, long RowsFromPlannedSources)
{
    public override string ToString() => $"{Table}: {DisplayText.Count(Rows)} rows, {DisplayText.Count(RowsFromPlannedSources)} from the planned sources";
}

public sealed record TargetAnalysis(
    string ServerVersion,
    bool PgvectorAvailable,
    int? SchemaVersion,
    string DenseVectorType,
    int? DenseVectorDimensions,
    IReadOnlyList<TargetTableAnalysis> Tables)
{
    public override string ToString() => $"PostgreSQL {ServerVersion}, unified schema {(SchemaVersion is { } v ? $"version {v}" : "not installed")}, vectors as {DenseVectorType}{(DenseVectorDimensions is { } d ? $"({d})" : "")}, {Tables.Count} table(s)";
}

/// <summary>Two records that would get the same unified id; both survive, the later one under a name-based id.</summary>
public sealed record IdCollision(string TargetTable, Guid UnifiedId, string ExistingSource, string ExistingLegacyId, string IncomingSource, string IncomingLegacyId)
{
    public override string ToString() => $"{TargetTable} id {UnifiedId}: held by {ExistingSource} {ExistingLegacyId}, wanted by {IncomingSource} {IncomingLegacyId}";
}

public sealed record MigrationPlanStep(
    int Order,
    string Name,
    string SourceName,
    string SourceTable,
    string TargetTable,
    long EstimatedRecords,
    long EstimatedBytes)
{
    public override string ToString() => $"{Order}. {Name} -> {TargetTable}: about {DisplayText.Count(EstimatedRecords)} records, {DisplayText.Size(EstimatedBytes)}";
}

/// <summary>
/// What a migration will do, decided before it starts: analysis of every source and the target,
/// ordered steps with estimates, warnings and blockers. A plan with blockers cannot be invoked.
/// </summary>
public sealed class MigrationPlan
{
    internal MigrationPlan(
        IReadOnlyList<MigrationSource> sources,
        MigrationTarget target,
        int batchSize,
        int? vectorDimensions,
        IReadOnlyList<SourceAnalysis> sourceAnalyses,
        TargetAnalysis? targetAnalysis,
        IReadOnlyList<MigrationPlanStep> steps,
        IReadOnlyList<IdCollision> idCollisions,
        long idCollisionCount,
        IReadOnlyList<MigrationPlanIssue> issues,
        string fingerprint)
    {
        PlanId = Guid.NewGuid();
        CreatedAt = DateTimeOffset.UtcNow;
        Sources = sources;
        Target = target;
        BatchSize = batchSize;
        VectorDimensions = vectorDimensions;
        SourceAnalyses = sourceAnalyses;
        TargetAnalysis = targetAnalysis;
        Steps = steps;
        IdCollisions = idCollisions;
        IdCollisionCount = idCollisionCount;
        Warnings = issues.Where(i => i.Severity == PlanIssueSeverity.Warning).ToArray();
        Blockers = issues.Where(i => i.Severity == PlanIssueSeverity.Blocker).ToArray();
        Fingerprint = fingerprint;
    }

    public Guid PlanId { get; }

    public DateTimeOffset CreatedAt { get; }

    public IReadOnlyList<MigrationSource> Sources { get; }

    /// <summary>The systems the sources belong to (claude, cognee): what the graph and vector stores are checked and written for.</summary>
    public IReadOnlyList<string> SystemOrigins => Sources.Select(s => s.SystemOrigin).Distinct(StringComparer.Ordinal).ToArray();

    public MigrationTarget Target { get; }

    public int BatchSize { get; }

    /// <summary>Dimension of the dense vectors in the unified store; records with another dimension are rejected.</summary>
    public int? VectorDimensions { get; }

    public IReadOnlyList<SourceAnalysis> SourceAnalyses { get; }

    public TargetAnalysis? TargetAnalysis { get; }

    public IReadOnlyList<MigrationPlanStep> Steps { get; }

    /// <summary>Id collisions found against data already in the target (the first 100).</summary>
    public IReadOnlyList<IdCollision> IdCollisions { get; }

    public long IdCollisionCount { get; }

    public IReadOnlyList<MigrationPlanIssue> Warnings { get; private set; }

    public IReadOnlyList<MigrationPlanIssue> Blockers { get; private set; }

    /// <summary>Hash of what decides the run's output (sources, tables, layouts, dimensions, batch size).</summary>
    public string Fingerprint { get; }

    public bool CanInvoke => Blockers.Count == 0;

    /// <summary>Issues found after analysis (an imported plan's comparison with its file), added before the plan is handed out.</summary>
    internal void AddIssues(IReadOnlyList<MigrationPlanIssue> issues)
    {
        Warnings = [.. Warnings, .. issues.Where(i => i.Severity == PlanIssueSeverity.Warning)];
        Blockers = [.. Blockers, .. issues.Where(i => i.Severity == PlanIssueSeverity.Blocker)];
    }

    /// <summary>Invoke-Migration takes a savepoint first and restores it when the run fails (as its -RollbackOnFailure).</summary>
    public bool RollbackOnFailure { get; set; }

    public long TotalRecords => Steps.Sum(s => s.EstimatedRecords);

    public long TotalBytes => Steps.Sum(s => s.EstimatedBytes);

    public override string ToString() =>
        $"Plan {PlanId}: {Steps.Count} step(s), about {DisplayText.Count(TotalRecords)} records ({DisplayText.Size(TotalBytes)}) from " +
        $"{string.Join(", ", Sources.Select(s => s.Name))} into {Target.Name}; " +
        (CanInvoke ? $"{Warnings.Count} warning(s)" : $"{Blockers.Count} blocker(s), cannot be invoked");
}
