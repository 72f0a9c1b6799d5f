using System.Text.RegularExpressions;

namespace PSUnifiedMigration.Engine.Tests.ErrorIds;

/// <summary>
/// Every error id the engine and the cmdlets can raise (exceptions, rejects, plan issues) is explained in
/// docs/errors.md, so that a user who meets one can look it up. Adding an id without documenting it fails here.
/// </summary>
public class ErrorIdDocumentationTests
{
    private static readonly string ErrorsPage = Path.Combine(RepositoryLayout.Root, "docs", "errors.md");

    [Fact]
    public void Every_error_id_the_code_uses_is_documented_in_errors_md()
    {
        var documented = Regex.Matches(File.ReadAllText(ErrorsPage), "`([A-Za-z0-9]+)`").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        var undocumented = ErrorIdScanner.Scan(RepositoryLayout.Root).Where(id => !documented.Contains(id.Key))
            .Select(id => $"{id.Key} (used in {string.Join(", ", id.Value)})").ToList();

        Assert.True(undocumented.Count == 0, "Error ids used in code but not documented (as `Id`) in docs/errors.md:\n" + string.Join("\n", undocumented));
    }

    [Fact]
    public void The_scan_finds_the_ids_of_every_kind_of_error_in_the_sources()
    {
        var used = ErrorIdScanner.Scan(RepositoryLayout.Root);

        // One of each: an engine exception, a cmdlet's own, a Neo4j one, a reject, a reject from a conditional,
        // a plan blocker through a helper, a plan warning, a pattern on an id, a target-typed exception.
        Assert.Superset(
            new SortedSet<string>(["PlanHasBlockers", "SavepointNotFound", "Neo4jStatementFailed", "SparseVectorInvalid", "VectorNotFinite",
                "CogneeStoreNotGiven", "VectorPrecisionNarrowed", "PostgresConnectionLost", "QdrantUnexpectedResponse", "ReferenceDangling"]),
            new SortedSet<string>(used.Keys));
        Assert.True(used.Count > 100, $"only {used.Count} ids found");
    }

    [Fact]
    public void The_scanner_reads_every_call_shape_that_carries_an_id()
    {
        const string source = """"
            /// <summary>See <see cref="NotAnId"/>; "CommentedOut" in a comment is not code.</summary>
            // throw new MigrationException("CommentedOutCall", MigrationErrorKind.InvalidData, "x");
            class Sample
            {
                void M(bool flag, string field, MigrationException e)
                {
                    throw new MigrationException("PlainCreation", MigrationErrorKind.InvalidData, $"a (message) with \"{Quote("InHole")}\" and ( parentheses");
                    throw new MigrationException(flag ? "FromTrueBranch" : "FromFalseBranch", MigrationErrorKind.Unexpected, @"verbatim ""quoted"" )");
                    throw new Neo4jException("OtherException", MigrationErrorKind.ConnectionError, "Neo.ClientError.Code", """raw "text" ) """, null);
                    throw new RecordRejectedException(field, "is bad. Fix it.", "RejectLastArgument");
                    MigrationException made = new("TargetTyped", MigrationErrorKind.InvalidData, "x");
                    MigrationPlanIssue issue = new(PlanIssueSeverity.Warning, "TargetTypedIssue", "message", null, "Subject");
                    issues.Add(new MigrationPlanIssue(PlanIssueSeverity.Blocker, "PlanIssueCode", "m", "r", null));
                    issues.Add(Blocker("HelperBlocker", $"Source '{Name}': lost", "Reconnect."));
                    issues.Add(Warning(Source.Name, "HelperWarning", "message", null));
                    rejects.Add(new RejectedRecord(table, key, "id", "reason", "RecordShape"));
                    WriteError(new ErrorRecord(e, "CmdletRecord", ErrorCategory.InvalidData, null));
                    if (e is MigrationException { ErrorId: "PatternFirst" or "PatternSecond" }) { }
                    if (e.ErrorId == "ComparedId") { }
                    var kind = code switch { "SwitchLabel" or "OtherLabel" => 1, _ => 0 };
                    var notAnId = new Dictionary<string, string> { ["PascalKey"] = "PascalValue" };
                    Log("NotACarrier");
                    var tuple = new Thing("NotAnException", MigrationErrorKind.InvalidData);
                    var character = '"';
                    throw new MigrationException("AfterCharacter", MigrationErrorKind.InvalidData, "x");
                }
            }
            """";

        var ids = ErrorIdScanner.Find(source);

        Assert.Equal(
            new SortedSet<string>(["AfterCharacter", "CmdletRecord", "ComparedId", "FromFalseBranch", "FromTrueBranch", "HelperBlocker", "HelperWarning",
                "OtherException", "OtherLabel", "PatternFirst", "PatternSecond", "PlainCreation", "PlanIssueCode", "RecordShape", "RejectLastArgument",
                "SwitchLabel", "TargetTyped", "TargetTypedIssue"]),
            new SortedSet<string>(ids));
    }
}
