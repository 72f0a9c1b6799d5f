namespace PSUnifiedMigration.Module.Tests;

/// <summary>New-MigrationTarget with Neo4j and Qdrant: the addresses are kept, the secrets never shown.</summary>
public sealed class GraphAndVectorTargetTests : IDisposable
{
    private readonly PowerShellSession _session = new();

    public void Dispose() => _session.Dispose();

    [Fact]
    public void A_target_with_neo4j_and_qdrant_shows_both_stores_without_their_secrets()
    {
        var run = _session.Run("""
            $neo4j = [pscredential]::new('neo4j', [System.Net.NetworkCredential]::new('', 'neo4j-pw-secret').SecurePassword)
            $key = [System.Net.NetworkCredential]::new('', 'qdrant-key-secret').SecurePassword
            $target = New-MigrationTarget 'Host=db01;Database=unified' -Neo4jUri 'http://graph01:7474' -Neo4jCredential $neo4j -QdrantUri 'https://vectors01:6333' -QdrantApiKey $key
            $target.GraphStore
            $target.VectorStore
            $target.ToString()
            """);

        Assert.Empty(run.AllErrors);
        var text = string.Join("\n", run.Output.Select(o => o.ToString()));
        Assert.Contains("graph01:7474", text);
        Assert.Contains("vectors01:6333", text);
        Assert.DoesNotContain("neo4j-pw-secret", text);
        Assert.DoesNotContain("qdrant-key-secret", text);
    }

    [Fact]
    public void A_target_lists_its_stores_in_registry_order_and_keeps_each_reachable_by_name()
    {
        var run = _session.Run("""
            $target = New-MigrationTarget 'Host=db01;Database=unified' -QdrantUri 'https://vectors01:6333' -Neo4jUri 'http://graph01:7474'
            ($target.Stores | ForEach-Object { $_.Kind.Name }) -join ','
            $target.Neo4j.Display
            $target.Qdrant.Display
            """);

        Assert.Empty(run.AllErrors);
        Assert.Equal(["Neo4j,Qdrant", "graph01:7474/neo4j", "https://vectors01:6333"], run.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void A_graph_store_address_that_is_not_http_is_an_argument_error()
    {
        var run = _session.Run("New-MigrationTarget 'Host=db01;Database=unified' -Neo4jUri 'bolt://graph01:7687'");

        var error = Assert.Single(run.AllErrors);
        Assert.Equal("Neo4jUriInvalid", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
    }
}
