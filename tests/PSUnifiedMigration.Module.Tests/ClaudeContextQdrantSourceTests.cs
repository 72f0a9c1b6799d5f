using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>New-MigrationSource -ClaudeContext -QdrantUri: claude-context-core's Qdrant collections as a source, through the cmdlets.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClaudeContextQdrantSourceTests(PostgresFixture fixture) : IDisposable
{
    private const string ApiKey = "cmdlet-qdrant-s3cret";

    private readonly PowerShellSession _session = new();
    private readonly QdrantWireListener _fake = QdrantWireListener.Start(ApiKey);

    public void Dispose()
    {
        _session.Dispose();
        _fake.Dispose();
    }

    [Fact]
    public async Task Qdrant_collections_alone_migrate_and_validate_and_the_api_key_never_shows()
    {
        var hybrid = ClaudeContextCoreInstallation.Describe(new ClaudeContextCoreOptions { RowsPerTable = 6 }).Table(CoreChunkTableKind.Hybrid);
        _fake.Seed(hybrid.Collection, CoreQdrantPoints.CollectionConfig(8, hybrid: true, sparse: true), hybrid.CodeRows.Select(c => CoreQdrantPoints.Point(hybrid, c, sparse: true)));
        _session.Set("QdrantUri", _fake.Uri.ToString());
        _session.Set("Key", ApiKey);
        _session.Set("TargetConnection", await fixture.Server.CreateDatabaseAsync("dst"));

        var run = _session.Run("""
            $source = New-MigrationSource -ClaudeContext -QdrantUri $QdrantUri -QdrantApiKey ([System.Net.NetworkCredential]::new('', $Key).SecurePassword) -Name 'cc-qdrant'
            "$source | $($source.ConnectionString) | $($source.System)"
            $result = New-MigrationPlan -Source $source -Target (New-MigrationTarget $TargetConnection) | Invoke-Migration -Confirm:$false
            $result
            $result | Test-Migration
            """);

        Assert.Empty(run.AllErrors);
        Assert.DoesNotContain(ApiKey, run.Output[0].ToString());
        Assert.EndsWith("ClaudeContext", run.Output[0].ToString());
        Assert.Equal("Succeeded", run.Output[1].Properties["Status"].Value.ToString());
        Assert.Equal(6L, run.Output[1].Properties["Migrated"].Value);
        Assert.True((bool)run.Output[2].Properties["IsValid"].Value, string.Join("\n", (IEnumerable<string>)run.Output[2].Properties["Errors"].Value));
    }

    [Fact]
    public void A_claude_context_source_without_a_store_is_an_argument_error()
    {
        var run = _session.Run("New-MigrationSource -ClaudeContext");

        var error = Assert.Single(run.AllErrors);
        Assert.Equal("ClaudeContextStoreNotGiven", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
    }
}
