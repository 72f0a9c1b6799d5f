using System.Management.Automation;
using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>
/// New-MigrationSource -ClaudeContext -MilvusUri in the hosted PowerShell engine: upstream Claude-Context served by
/// the Milvus REST v2 fake migrates and validates, and a wrong token blocks the plan without being shown.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MilvusSourceTests(PostgresFixture fixture) : IDisposable
{
    private const string Token = "milvus-t0ken";

    private readonly PowerShellSession _session = new();
    private readonly MilvusWireListener _fake = MilvusWireListener.Start(Token);
    private readonly UpstreamMilvusCollection _hybrid = UpstreamMilvusCollections.Generate("/home/dev/shop", hybrid: true, count: 40, dimension: 8, seed: 21);
    private readonly UpstreamMilvusCollection _plain = UpstreamMilvusCollections.Generate("/home/dev/blog", hybrid: false, count: 12, dimension: 8, seed: 22);

    private void Seed()
    {
        _fake.AddCollection(_hybrid);
        _fake.AddCollection(_plain);
        _session.Set("MilvusUri", _fake.Uri.ToString());
    }

    public void Dispose()
    {
        _session.Dispose();
        _fake.Dispose();
    }

    [Fact]
    public async Task Upstream_Claude_Context_on_Milvus_migrates_and_validates_with_a_warning_for_the_sparse_vectors()
    {
        Seed();
        _session.Set("TargetConnection", await fixture.Server.CreateDatabaseAsync("dst"));

        var run = _session.Run($$"""
            $token = [System.Net.NetworkCredential]::new('', '{{Token}}').SecurePassword
            $source = New-MigrationSource -ClaudeContext -MilvusUri $MilvusUri -Token $token -Name 'upstream'
            $result = New-MigrationPlan -Source $source -Target (New-MigrationTarget $TargetConnection) -BatchSize 16 | Invoke-Migration -Confirm:$false
            "$($source.System) $($source.ConnectionString)"
            $result.Migrated
            $result | Test-Migration -Mode Full -Quiet
            """);

        Assert.Empty(run.AllErrors);
        Assert.Contains(run.Warnings, w => w.Message.Contains(_hybrid.Name) && w.Message.Contains("not carried"));
        Assert.Equal([$"ClaudeContext {_fake.Uri.ToString().TrimEnd('/')} (token ********)", 2L + 2 + _hybrid.Entities.Count + _plain.Entities.Count, true],
            run.Output.Select(o => o.BaseObject));
    }

    [Fact]
    public async Task A_wrong_token_blocks_the_plan_as_an_authentication_error_that_does_not_show_it()
    {
        Seed();
        _session.Set("TargetConnection", await fixture.Server.CreateDatabaseAsync("dst"));

        var run = _session.Run("""
            $token = [System.Net.NetworkCredential]::new('', 'wrong-s3cret').SecurePassword
            New-MigrationPlan -Source (New-MigrationSource -ClaudeContext -MilvusUri $MilvusUri -Token $token) -Target (New-MigrationTarget $TargetConnection)
            """);

        var error = Assert.Single(run.Errors);
        Assert.Equal("MilvusAuthenticationFailed", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Contains("-Token", error.Exception.Message);
        Assert.DoesNotContain("s3cret", error.ToString() + error.Exception + run.Single().ToString());
        Assert.False((bool)run.Single().Properties["CanInvoke"].Value);
    }

    [Fact]
    public async Task A_codebase_snapshot_path_that_does_not_exist_is_a_plan_warning_naming_it()
    {
        Seed();
        _session.Set("TargetConnection", await fixture.Server.CreateDatabaseAsync("dst"));
        var file = Path.Combine(Path.GetTempPath(), $"no-such-mcp-codebase-snapshot-{Guid.NewGuid():N}.json");

        var run = _session.Run($$"""
            $token = [System.Net.NetworkCredential]::new('', '{{Token}}').SecurePassword
            $source = New-MigrationSource -ClaudeContext -MilvusUri $MilvusUri -Token $token -CodebaseSnapshotPath '{{file}}'
            (New-MigrationPlan -Source $source -Target (New-MigrationTarget $TargetConnection)).Warnings | Where-Object Code -eq 'CodebaseSnapshotUnreadable' | ForEach-Object Message
            """);

        Assert.True(!run.AllErrors.Any(), string.Join("\n", run.AllErrors.Select(e => e.ToString())));
        var message = Assert.Single(run.Output).ToString();
        Assert.Contains(file, message);
        Assert.Contains("does not exist", message);
    }
}
