namespace PSUnifiedMigration.Engine.Model;

/// <summary>What undoing a run did to one unified table: rows the run inserted and deleted now, rows it changed and restored now.</summary>
public sealed record UndoTableResult(string Table, long Deleted, long Restored)
{
    public override string ToString() => $"{Table}: {DisplayText.Count(Deleted)} deleted, {DisplayText.Count(Restored)} restored";
}

/// <summary>What undoing a run did in one store: PostgreSQL, or a graph or vector store that holds a projection of it.</summary>
public sealed record UndoStoreResult(string Store, long Deleted, long Rewritten, TimeSpan Duration)
{
    public override string ToString() => $"{Store}: {DisplayText.Count(Deleted)} deleted, {DisplayText.Count(Rewritten)} rewritten in {DisplayText.Duration(Duration)}";
}

/// <summary>The outcome of Undo-Migration: the run's rows removed or given their previous version back, in every configured store.</summary>
public sealed class MigrationUndoResult
{
    internal MigrationUndoResult(Guid runId, bool alreadyUndone, IReadOnlyList<UndoTableResult> tables, IReadOnlyList<UndoStoreResult> stores, TimeSpan duration)
    {
        RunId = runId;
        AlreadyUndone = alreadyUndone;
        Tables = tables;
        Stores = stores;
        Duration = duration;
    }

    public Guid RunId { get; }

    /// <summary>PostgreSQL had been undone before: only the graph and vector stores were brought in line again.</summary>
    public bool AlreadyUndone { get; }

    public IReadOnlyList<UndoTableResult> Tables { get; }

    public IReadOnlyList<UndoStoreResult> Stores { get; }

    public long Deleted => Tables.Sum(t => t.Deleted);

    public long Restored => Tables.Sum(t => t.Restored);

    public TimeSpan Duration { get; }

    public override string ToString() => AlreadyUndone
        ? $"Run {RunId} was already undone"
        : $"Undo of run {RunId}: {DisplayText.Count(Deleted)} deleted, {DisplayText.Count(Restored)} restored in {DisplayText.Duration(Duration)}";
}
