using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace PSUnifiedMigration.Module.Tests;

[Collection(PostgresCollection.Name)]
public sealed class ConnectionAndPlanTests(PostgresFixture fixture) : IDisposable
{
    private readonly PowerShellSession _session = new();

    public void Dispose() => _session.Dispose();

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task An_unreachable_source_is_a_connection_error_with_an_actionable_message_and_a_blocked_plan()
    {
        var target = await fixture.Server.CreateDatabaseAsync("dst");
        _session.Set("TargetConnection", target);

        var run = _session.Run($"""
            $source = New-MigrationSource -ClaudeContext -ConnectionString 'Host=127.0.0.1;Port={ClosedPort()};Database=cc;Timeout=5'
            $plan = New-MigrationPlan -Source $source -Target (New-MigrationTarget $TargetConnection)
            $plan
            $plan | Invoke-Migration -Confirm:$false
            """);

        Assert.Equal(2, run.AllErrors.Count());
        var unreachable = run.AllErrors.First();
        Assert.Equal("PostgresUnreachable", unreachable.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.ConnectionError, unreachable.CategoryInfo.Category);
        Assert.Contains("Check that the server is running", unreachable.Exception.Message);
        Assert.DoesNotContain("   at ", unreachable.Exception.Message);
        Assert.False((bool)run.Single().Properties["CanInvoke"].Value);
        Assert.Equal("PlanHasBlockers", run.AllErrors.Last().FullyQualifiedErrorId.Split(',')[0]);
    }

    [Fact]
    public async Task A_missing_database_names_the_database()
    {
        var builder = new NpgsqlConnectionStringBuilder(fixture.Server.AdminConnectionString) { Database = "no_such_database" };

        var run = _session.Run($"New-MigrationPlan -Source (New-MigrationSource -ClaudeContext '{builder}') -Target (New-MigrationTarget '{builder}')");

        Assert.All(run.Errors, e => Assert.Equal("PostgresDatabaseNotFound", e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.Contains("'no_such_database' does not exist", run.Errors[0].Exception.Message);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_database_without_claude_context_blocks_the_plan_with_the_remedy()
    {
        var empty = await fixture.Server.CreateDatabaseAsync("empty");
        _session.Set("Connection", empty);
        // The target is a database of its own: one that is the source's is refused (TargetIsSource).
        _session.Set("TargetConnection", await fixture.Server.CreateDatabaseAsync("target"));

        var run = _session.Run("New-MigrationPlan -Source (New-MigrationSource -ClaudeContext $Connection) -Target (New-MigrationTarget $TargetConnection)");

        var error = Assert.Single(run.Errors);
        Assert.Equal("SourceSchemaMissing", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("-Schema", error.Exception.Message);
        Assert.False((bool)run.Single().Properties["CanInvoke"].Value);
    }

    [Fact]
    public async Task A_target_user_without_rights_gets_a_permission_error_naming_the_remedy()
    {
        var scenario = await MigrationScenario.CreateAsync(fixture.Server);
        var role = "limited_" + Guid.NewGuid().ToString("N")[..8];
        await TestDatabase.ExecuteAsync(fixture.Server.AdminConnectionString, $"CREATE ROLE {role} LOGIN");
        _session.Set("SourceConnection", scenario.Source);
        _session.Set("TargetConnection", new NpgsqlConnectionStringBuilder(scenario.Target) { Username = role }.ConnectionString);

        var run = _session.Run("New-MigrationPlan -Source (New-MigrationSource -ClaudeContext $SourceConnection) -Target (New-MigrationTarget $TargetConnection) | Invoke-Migration -Confirm:$false");

        var error = Assert.Single(run.AllErrors);
        Assert.Equal("PostgresPermissionDenied", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        Assert.Contains("Grant the connecting user", error.Exception.Message);
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(fixture.Server.AdminConnectionString,
            $"SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND a.usename = '{role}'"));
    }

    [Fact]
    public void Connection_strings_are_redacted_in_every_object_and_the_password_is_never_shown()
    {
        var run = _session.Run("""
            $password = [System.Net.NetworkCredential]::new('', 'cred-s3cret').SecurePassword
            $credential = [pscredential]::new('ops', $password)
            New-MigrationSource -ClaudeContext -ConnectionString 'Host=db01;Database=cc;Password=inline-s3cret'
            New-MigrationTarget -ConnectionString 'postgresql://ops:uri-s3cret@db02:5433/unified'
            New-MigrationTarget -ConnectionString 'Host=db03;Database=unified' -Credential $credential
            """);

        Assert.Empty(run.AllErrors);
        Assert.Equal(3, run.Output.Count);
        foreach (var item in run.Output)
        {
            var text = item.Properties["ConnectionString"].Value.ToString()!;
            Assert.DoesNotContain("s3cret", text);
            Assert.Contains("Password=********", text);
            Assert.DoesNotContain("s3cret", item.ToString());
        }

        Assert.Contains("Port=5433", run.Output[1].Properties["ConnectionString"].Value.ToString());
    }

    [Fact]
    public void The_ssl_password_and_uri_query_secrets_are_redacted_in_objects_json_plans_and_error_records()
    {
        var run = _session.Run("""
            $source = New-MigrationSource -ClaudeContext -ConnectionString 'Host=127.0.0.1;Port=1;Database=cc;SSL Password=kv-s3cret'
            $target = New-MigrationTarget -ConnectionString 'postgresql://ops:user-s3cret@127.0.0.1:1/unified?sslpassword=query-s3cret'
            $plan = New-MigrationPlan -Source $source -Target $target -ErrorAction SilentlyContinue -ErrorVariable planErrors
            foreach ($item in @($source, $target, $plan, $plan.Target) + @($plan.Sources) + @($plan.Blockers)) {
                "$item"
                $item.PSObject.Properties | ForEach-Object { "$($_.Name)=$($_.Value)" }
            }
            [System.Text.Json.JsonSerializer]::Serialize($source.ConnectionString + ' ' + $target.ConnectionString)
            $planErrors | ForEach-Object { $_.ToString(); "$($_.TargetObject)"; $_.Exception.ToString() }
            """);

        // The source and the target, and the same two again as the plan holds them.
        Assert.Equal(4, run.Output.Count(item => item.ToString() == "ConnectionString=Host=127.0.0.1;Port=1;Database=cc;SSL Password=********"
                                                   || item.ToString() == "ConnectionString=Host=127.0.0.1;Port=1;Database=unified;Username=ops;Password=********;SSL Password=********"));
        Assert.All(run.Output, item => Assert.DoesNotContain("s3cret", item.ToString()));
        Assert.Contains(run.Output, item => item.ToString().Contains("SSL Password=********"));
    }
}
