using PSUnifiedMigration.Engine.Model;
using static PSUnifiedMigration.Engine.Sources.Cognee.CogneeGraphRecords;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// The relational graph ledger (nodes, edges) checked against the graph store that is migrated. The ledger is no
/// safe substitute for the store (it keeps the first write of each element, and a graph created on Cognee v1.3+
/// writes no ledger rows at all), but where both exist a difference in their counts is worth a look: it can mean
/// the graph store given is not the one Cognee uses.
/// </summary>
internal static class CogneeLedgerCrossCheck
{
    /// <summary>A warning when the ledger holds rows and its node or edge count differs from the graph store's planned steps.</summary>
    public static MigrationPlanIssue? Compare(CogneeSession session, CogneeAnalysis analysis, string store)
    {
        var (ledgerNodes, ledgerEdges) = CogneeLedgerReader.Counts(session);
        var nodes = analysis.Steps.Where(s => s.SourceTable == NodesTable).Sum(s => s.Rows);
        var edges = analysis.Steps.Where(s => s.SourceTable == EdgesTable).Sum(s => s.Rows);
        if (ledgerNodes + ledgerEdges == 0 || (ledgerNodes == nodes && ledgerEdges == edges))
        {
            return null;
        }

        return session.Warning("CogneeLedgerMismatch",
            $"the relational graph ledger records {ledgerNodes} node(s) and {ledgerEdges} edge(s), but the graph store ({store}) holds {nodes} and {edges}. "
            + "The graph store is what is migrated; the ledger is only a cross-check (it keeps first writes only, and graphs created on Cognee v1.3+ write no ledger rows).",
            "Check that the graph store given is the one Cognee uses (-GraphPath, -GraphConnectionString). If it is, nothing needs doing.");
    }
}
