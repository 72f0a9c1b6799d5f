using System.Management.Automation;
using Npgsql;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>
/// Issue 16, points 3 to 5: runs read from the journal in another session (Get-MigrationRun, -Watch, -RunId completion),
/// progress whose rate and time left are true, and errors that keep what PostgreSQL said and name who holds the target.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RunJournalAndProgressTests(PostgresFixture fixture) : IDisposable
{
    /// <summary>The target lock's advisory key (TargetLock.Key in the engine).</summary>
    private const long TargetLockKey = 0x5053_554D_0001;

    private const string Plan = "$plan = New-MigrationPlan -Source (New-MigrationSource -ClaudeContext $SourceConnection -Name 'cc') -Target (New-MigrationTarget $TargetConnection) -BatchSize 50\n";

    private readonly PowerShellSession _session = new();
    private readonly PowerShellSession _watcher = new();

    public void Dispose()
    {
        _session.Dispose();
        _watcher.Dispose();
    }

    private async Task<MigrationScenario> ScenarioAsync(ClaudeContextSampleOptions? options = null)
    {
        var scenario = await MigrationScenario.CreateAsync(fixture.Server, options);
        foreach (var session in new[] { _session, _watcher })
        {
            session.Set("SourceConnection", scenario.Source);
            session.Set("TargetConnection", scenario.Target);
        }

        return scenario;
    }

    private static bool InChunks(ProgressRecord p) => p.ParentActivityId == 1 && p.Activity.Contains("chunks");

    [Fact]
    public async Task Another_session_reads_a_stopped_run_from_the_journal_and_completes_its_id()
    {
        var scenario = await ScenarioAsync();
        _session.RunAndStopWhen(Plan + "$plan | Invoke-Migration -Confirm:$false", InChunks);
        var stopped = await scenario.ScalarOnTargetAsync<Guid>("SELECT run_id FROM unified_migration.runs WHERE status = 'Cancelled'");

        var read = _watcher.Run("$target = New-MigrationTarget $TargetConnection\nGet-MigrationRun -Target $target");

        Assert.Empty(read.AllErrors);
        var run = read.Single();
        Assert.Equal(stopped, run.Properties["RunId"].Value);
        Assert.Equal("Cancelled", run.Properties["Status"].Value.ToString());
        var steps = ((System.Collections.IEnumerable)run.Properties["Steps"].Value).Cast<object>().ToArray();
        Assert.NotEmpty(steps);
        var read0 = (long)run.Properties["Read"].Value;
        Assert.Equal(await scenario.ScalarOnTargetAsync<long>($"SELECT sum(read)::bigint FROM unified_migration.checkpoints WHERE run_id = '{stopped}'"), read0);
        Assert.InRange(read0, 1, scenario.TotalRecords - 1);
        Assert.True((bool)run.Properties["CountsAddUp"].Value);
        Assert.Contains(stopped.ToString(), run.BaseObject.ToString());

        var input = "Get-MigrationRun -Target $target -RunId ";
        var completed = _watcher.Run($"[System.Management.Automation.CommandCompletion]::CompleteInput('{input}', {input.Length}, $null).CompletionMatches.CompletionText");
        Assert.Equal([stopped.ToString()], completed.Output.Select(o => (string)o.BaseObject));
        input = "Invoke-Migration -Plan $plan -RunId ";
        completed = _session.Run($"[System.Management.Automation.CommandCompletion]::CompleteInput('{input}', {input.Length}, $null).CompletionMatches.CompletionText");
        Assert.Equal([stopped.ToString()], completed.Output.Select(o => (string)o.BaseObject));

        var missing = _watcher.Run($"Get-MigrationRun -Target $target -RunId '{Guid.Empty}'");
        Assert.Equal("RunNotFound", Assert.Single(missing.AllErrors).FullyQualifiedErrorId.Split(',')[0]);
    }

    [Fact]
    public async Task Watch_follows_a_run_in_progress_from_another_session_until_it_ends()
    {
        var scenario = await ScenarioAsync(new ClaudeContextSampleOptions { Chunks = 3000, Seed = 5 });
        var migrating = Task.Run(() => _session.Run(Plan.Replace("-BatchSize 50", "-BatchSize 20") + "$plan | Invoke-Migration -Confirm:$false"));
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (await scenario.ScalarOnTargetAsync<long>(
                   "SELECT count(*) FROM pg_namespace n WHERE nspname = 'unified_migration' AND EXISTS (SELECT 1 FROM pg_class WHERE relname = 'checkpoints' AND relnamespace = n.oid)") == 0
               || await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified_migration.checkpoints") == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the run did not start");
            await Task.Delay(100);
        }

        var watched = _watcher.Run("Get-MigrationRun -Target (New-MigrationTarget $TargetConnection) -Watch -Interval 1");
        var migrated = await migrating;

        Assert.Empty(migrated.AllErrors);
        Assert.Empty(watched.AllErrors);
        var final = watched.Single();
        Assert.Equal(migrated.Single().Properties["RunId"].Value, final.Properties["RunId"].Value);
        Assert.Equal("Succeeded", final.Properties["Status"].Value.ToString());
        Assert.Equal((long)scenario.TotalRecords, final.Properties["Read"].Value);
        Assert.Contains(watched.Progress, p => p.RecordType == ProgressRecordType.Processing && p.StatusDescription.StartsWith("Migrating ", StringComparison.Ordinal));
        Assert.Equal(ProgressRecordType.Completed, watched.Progress[^1].RecordType);

        // The journal holds the plan's total: the watcher shows a percentage that only grows, and a time left once it measured a rate.
        var total = (long)PSObject.AsPSObject(migrated.Single().Properties["Plan"].Value).Properties["TotalRecords"].Value;
        Assert.Equal(total, final.Properties["Total"].Value);
        Assert.Equal(100.0, final.Properties["PercentComplete"].Value);
        var working = watched.Progress.Where(p => p.RecordType == ProgressRecordType.Processing).ToArray();
        Assert.All(working, p => Assert.InRange(p.PercentComplete, 0, 99));
        Assert.All(working, p => Assert.Contains($" of about {total:N0} read", p.StatusDescription));
        Assert.Equal(working.Select(p => p.PercentComplete).Order(), working.Select(p => p.PercentComplete));
        Assert.Contains(working, p => p.SecondsRemaining >= 0);
        Assert.Equal(100, watched.Progress[^1].PercentComplete);
        Assert.Equal(-1, watched.Progress[^1].SecondsRemaining);
    }

    [Fact]
    public async Task The_journal_keeps_the_plans_total_and_warnings_for_a_percentage_from_another_session()
    {
        var scenario = await ScenarioAsync();
        _session.RunAndStopWhen(Plan + "$plan | Invoke-Migration -Confirm:$false", InChunks);
        var planned = _session.Run("$plan.TotalRecords\n$plan.Steps | ForEach-Object { '{0}={1}' -f $_.Name, $_.EstimatedRecords }");
        var total = (long)planned.Output[0].BaseObject;
        Assert.True(total > 0);

        var stopped = _watcher.Run("Get-MigrationRun -Target (New-MigrationTarget $TargetConnection)").Single();

        Assert.Equal(total, stopped.Properties["Total"].Value);
        var read = (long)stopped.Properties["Read"].Value;
        Assert.Equal(Math.Min(99.9, Math.Round(100.0 * read / total, 1)), stopped.Properties["PercentComplete"].Value);
        Assert.Null(stopped.Properties["Remaining"].Value);
        Assert.Contains($"{read:N0} of about {total:N0} read", stopped.BaseObject.ToString());
        var steps = ((System.Collections.IEnumerable)stopped.Properties["Steps"].Value).Cast<object>().Select(PSObject.AsPSObject).ToArray();
        var estimates = planned.Output.Skip(1).Select(o => (string)o.BaseObject).ToHashSet();
        Assert.All(steps, step => Assert.Contains($"{step.Properties["Name"].Value}={step.Properties["Total"].Value}", estimates));

        // The resume journals the plan it runs under, warnings included (the target now holds this source's rows).
        var resumed = _session.Run(Plan + "$plan | Invoke-Migration -Resume -Confirm:$false\n$plan.Warnings | ForEach-Object { '{0}: {1}' -f $_.Code, $_ }");
        Assert.Empty(resumed.AllErrors);
        var warnings = resumed.Output.Skip(1).Select(o => (string)o.BaseObject).ToArray();
        Assert.NotEmpty(warnings);
        var finished = _watcher.Run("Get-MigrationRun -Target (New-MigrationTarget $TargetConnection)").Single();
        Assert.Equal(warnings, ((System.Collections.IEnumerable)finished.Properties["Warnings"].Value).Cast<object>().Select(o => o.ToString()));
        Assert.Equal(100.0, finished.Properties["PercentComplete"].Value);
        Assert.Equal(await scenario.ScalarOnTargetAsync<long>("SELECT (planned->>'Total')::bigint FROM unified_migration.runs"), finished.Properties["Total"].Value);
    }

    [Fact]
    public async Task A_resumed_run_counts_only_its_own_records_in_its_rate()
    {
        var scenario = await ScenarioAsync();
        _session.RunAndStopWhen(Plan + "$plan | Invoke-Migration -Confirm:$false", InChunks);
        var before = await scenario.ScalarOnTargetAsync<long>("SELECT sum(read)::bigint FROM unified_migration.checkpoints");

        var resumed = _session.Run(Plan + "$plan | Invoke-Migration -Resume -Confirm:$false");

        Assert.Empty(resumed.AllErrors);
        var result = resumed.Single();
        Assert.Equal(before, result.Properties["ResumedRecords"].Value);
        var read = (long)result.Properties["Read"].Value;
        var duration = (TimeSpan)result.Properties["Duration"].Value;
        Assert.Equal(Math.Round((read - before) / duration.TotalSeconds, 1), (double)result.Properties["RecordsPerSecond"].Value);
        Assert.True(before > 0 && before < read);
    }

    [Fact]
    public async Task Test_Migration_progress_has_a_total_a_percentage_and_ends_completed()
    {
        var scenario = await ScenarioAsync();

        var run = _session.Run(Plan + "$plan | Invoke-Migration -Confirm:$false | Test-Migration");

        Assert.Empty(run.AllErrors);
        var validation = run.Progress.Where(p => p.Activity.StartsWith("Validating run", StringComparison.Ordinal)).ToArray();
        var working = validation.Where(p => p.RecordType == ProgressRecordType.Processing).ToArray();
        Assert.NotEmpty(working);
        Assert.All(working, p => Assert.Contains($"of {scenario.TotalRecords:N0} records compared", p.StatusDescription));
        Assert.All(working, p => Assert.InRange(p.PercentComplete, 0, 100));
        Assert.Equal(working.Select(p => p.PercentComplete).Order(), working.Select(p => p.PercentComplete));
        Assert.Contains(working, p => p.PercentComplete == 100);
        Assert.Equal(-1, working[0].SecondsRemaining);
        Assert.Equal(ProgressRecordType.Completed, validation[^1].RecordType);
    }

    [Fact]
    public async Task TargetBusy_names_the_session_holding_the_lock_and_the_target()
    {
        var scenario = await ScenarioAsync();
        await using var holder = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(scenario.Target) { ApplicationName = "lock-holder-p16" }.ConnectionString);
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock($1)", holder) { Parameters = { new() { Value = TargetLockKey } } })
        {
            await take.ExecuteScalarAsync();
        }

        var run = _session.Run(Plan + "$plan | Invoke-Migration -Confirm:$false");

        var error = Assert.Single(run.AllErrors);
        Assert.Equal("TargetBusy", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains($"pid {holder.ProcessID}", error.Exception.Message);
        Assert.Contains("application 'lock-holder-p16'", error.Exception.Message);
        Assert.Equal("MigrationTarget", error.TargetObject?.GetType().Name);
    }

    [Fact]
    public async Task A_failed_run_is_assigned_first_and_its_error_keeps_the_record_as_target()
    {
        var scenario = await ScenarioAsync(new ClaudeContextSampleOptions { Chunks = 120, Layout = ChunkLayout.Live, Seed = 11 });
        await scenario.ExecuteOnSourceAsync("UPDATE claude_context.chunks SET vector[5] = 'NaN' WHERE id = (SELECT min(id) FROM claude_context.chunks)");

        var run = _session.Run(Plan + "$r = $plan | Invoke-Migration -Confirm:$false\n$r.Status.ToString()\n$r.GetType().Name");

        Assert.Equal(["Failed", "MigrationResult"], run.Output.Select(o => o.BaseObject.ToString()));
        var error = Assert.Single(run.AllErrors);
        Assert.Equal("VectorNotFinite", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Null(run.Terminating);
        Assert.IsType<string>(error.TargetObject);
    }

    [Fact]
    public async Task A_database_error_keeps_what_PostgreSQL_said_and_names_the_target()
    {
        var scenario = await MigrationScenario.CreateAsync(fixture.Server);
        var role = "limited_" + Guid.NewGuid().ToString("N")[..8];
        await TestDatabase.ExecuteAsync(fixture.Server.AdminConnectionString, $"CREATE ROLE {role} LOGIN");
        _session.Set("SourceConnection", scenario.Source);
        _session.Set("TargetConnection", new NpgsqlConnectionStringBuilder(scenario.Target) { Username = role }.ConnectionString);

        var run = _session.Run(Plan + "$plan | Invoke-Migration -Confirm:$false");

        var error = Assert.Single(run.AllErrors);
        Assert.Equal("PostgresPermissionDenied", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("SQLSTATE 42501", error.ErrorDetails.Message);
        Assert.StartsWith(error.Exception.Message, error.ErrorDetails.Message);
        // The module loads Npgsql in its own load context, so the type is compared by name.
        Assert.Equal(typeof(PostgresException).FullName, error.Exception.InnerException?.GetType().FullName);
        Assert.Equal("MigrationTarget", error.TargetObject?.GetType().Name);
    }
}
