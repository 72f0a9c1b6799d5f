using PSUnifiedMigration.Sandbox;
using PSUnifiedMigration.Sandbox.Cognee;

namespace PSUnifiedMigration.Module.Tests;

[Collection(PostgresCollection.Name)]
public sealed class CogneeSourceTests(PostgresFixture fixture) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"psum-cognee-{Guid.NewGuid():N}");
    private readonly PowerShellSession _session = new();

    public void Dispose()
    {
        _session.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task<CogneeSampleSummary> SampleAsync(RelationalLayout layout = RelationalLayout.DataDatasetId) =>
        await CogneeSample.CreateAsync(new CogneeSampleOptions
        {
            SystemRoot = Path.Combine(_folder, ".cognee_system"), RelationalLayout = layout, GraphLayout = GraphLayout.NetworkxFile,
        });

    [Fact]
    public async Task A_cognee_installation_found_by_its_system_root_migrates_and_validates()
    {
        var sample = await SampleAsync();
        _session.Set("Root", sample.SystemRoot);
        _session.Set("TargetConnection", await fixture.Server.CreateDatabaseAsync("dst"));

        var run = _session.Run("""
            $source = New-MigrationSource -Cognee -Path $Root -Name 'cognee'
            $result = New-MigrationPlan -Source $source -Target (New-MigrationTarget $TargetConnection) | Invoke-Migration -Confirm:$false
            $result
            $result | Test-Migration
            """);

        Assert.Empty(run.AllErrors);
        Assert.Contains(run.Warnings, w => w.Message.Contains("no vector store was given"));
        Assert.Equal("Succeeded", run.Output[0].Properties["Status"].Value.ToString());
        Assert.True((bool)run.Output[1].Properties["IsValid"].Value, string.Join("\n", (IEnumerable<string>)run.Output[1].Properties["Errors"].Value));
        Assert.Equal((long)(sample.Principals + sample.Datasets + sample.DataRows + sample.Acls + sample.GraphNodes + sample.GraphEdges),
            run.Output[0].Properties["Migrated"].Value);
    }

    [Fact]
    public async Task Claude_context_and_cognee_migrate_together_into_one_store()
    {
        var sample = await SampleAsync(RelationalLayout.DatasetData);
        var claude = await MigrationScenario.CreateAsync(fixture.Server);
        _session.Set("Root", sample.SystemRoot);
        _session.Set("SourceConnection", claude.Source);
        _session.Set("TargetConnection", claude.Target);

        var run = _session.Run("""
            $sources = @(
                New-MigrationSource -ClaudeContext -ConnectionString $SourceConnection -Name 'claude'
                New-MigrationSource -Cognee -SqlitePath ([System.IO.Path]::Combine($Root, 'databases', 'cognee_db')) -GraphPath ([System.IO.Path]::Combine($Root, 'databases', 'cognee_graph.pkl')) -Name 'cognee'
            )
            $result = $sources | New-MigrationPlan -Target (New-MigrationTarget $TargetConnection) | Invoke-Migration -Confirm:$false
            ($result | Test-Migration).IsValid
            """);

        Assert.Empty(run.AllErrors);
        Assert.True((bool)run.Single().BaseObject);
        Assert.Equal(2L, await claude.ScalarOnTargetAsync<long>("SELECT count(DISTINCT system_origin) FROM unified.datasets"));
    }

    [Fact]
    public async Task A_cognee_on_postgresql_given_by_connection_string_migrates_and_validates_with_its_graph_tables()
    {
        var relational = await fixture.Server.CreateDatabaseAsync("cognee");
        var sample = await CogneeSample.CreateAsync(new CogneeSampleOptions
        {
            SystemRoot = Path.Combine(_folder, ".cognee_system"), GraphLayout = GraphLayout.PostgresTables, RelationalConnectionString = relational,
        });
        _session.Set("Relational", relational);
        _session.Set("TargetConnection", await fixture.Server.CreateDatabaseAsync("dst"));

        var run = _session.Run("""
            $source = New-MigrationSource -Cognee -ConnectionString $Relational -Name 'cognee-pg'
            $plan = New-MigrationPlan -Source $source -Target (New-MigrationTarget $TargetConnection)
            $plan.SourceAnalyses[0].Layout
            $result = $plan | Invoke-Migration -Confirm:$false
            $result.Migrated
            ($result | Test-Migration).IsValid
            """);

        Assert.Empty(run.AllErrors);
        Assert.Contains("PostgreSQL graph tables", run.Output[0].ToString());
        Assert.Equal((long)(sample.Principals + sample.Datasets + sample.DataRows + sample.Acls + sample.GraphNodes + sample.GraphEdges), run.Output[1].BaseObject);
        Assert.True((bool)run.Output[2].BaseObject);
    }

    [Fact]
    public void A_cognee_source_given_both_an_sqlite_file_and_a_postgresql_database_is_an_argument_error()
    {
        var run = _session.Run("New-MigrationSource -Cognee -SqlitePath ./cognee_db -ConnectionString 'Host=db01;Database=cognee'");

        var error = Assert.Single(run.AllErrors);
        Assert.Equal("CogneeRelationalStoreAmbiguous", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
    }

    [Fact]
    public async Task A_cognee_database_that_does_not_exist_is_an_object_not_found_blocker()
    {
        _session.Set("TargetConnection", await fixture.Server.CreateDatabaseAsync("dst"));
        _session.Set("Missing", Path.Combine(_folder, "no-such", "cognee_db"));

        var run = _session.Run("New-MigrationPlan -Source (New-MigrationSource -Cognee -SqlitePath $Missing) -Target (New-MigrationTarget $TargetConnection)");

        var error = Assert.Single(run.AllErrors);
        Assert.Equal("CogneeDatabaseNotFound", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(System.Management.Automation.ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
    }

    [Fact]
    public void Scripts_see_the_source_system_by_name_and_can_compare_it_with_a_string()
    {
        var run = _session.Run("""
            $cognee = New-MigrationSource -Cognee -SqlitePath ./cognee_db
            $claude = New-MigrationSource -ClaudeContext -ConnectionString 'Host=db01;Database=cc;Password=secret'
            "$($cognee.System)", $cognee.SystemOrigin, ($cognee.System -eq 'Cognee'), "$($claude.System)", $claude.SystemOrigin, ($claude.System -eq 'ClaudeContext'), ($claude.System -eq 'Cognee'), $claude.Schema
            """);

        Assert.Empty(run.AllErrors);
        Assert.Equal(["Cognee", "cognee", "True", "ClaudeContext", "claude", "True", "False", "claude_context"], run.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void A_cognee_source_without_a_location_is_an_argument_error()
    {
        var run = _session.Run("New-MigrationSource -Cognee");

        var error = Assert.Single(run.AllErrors);
        Assert.Equal("CogneeStoreNotGiven", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
    }
}
