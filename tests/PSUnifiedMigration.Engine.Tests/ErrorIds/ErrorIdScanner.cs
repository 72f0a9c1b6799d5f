using System.Text.RegularExpressions;

namespace PSUnifiedMigration.Engine.Tests.ErrorIds;

/// <summary>
/// Finds every error id the module's code can raise, by reading its sources: an id is a PascalCase string literal
/// given as an argument (alone, or as a branch of a conditional) in one of the shapes that carry ids:
/// <list type="bullet">
/// <item>any exception's constructor (<c>new MigrationException("Id", ...)</c>, <c>new Neo4jException("Id", ...)</c>,
/// <c>new RecordRejectedException(field, reason, "Id")</c>, a base constructor call);</item>
/// <item>a target-typed <c>new("Id", MigrationErrorKind.X, ...)</c> or <c>new(PlanIssueSeverity.X, "Code", ...)</c>;</item>
/// <item>rejects, plan issues and error records: <c>RejectedRecord</c>, <c>ValidationReject</c>,
/// <c>MigrationPlanIssue</c>, <c>ErrorRecord</c>, and the readers' <c>Blocker(...)</c> and <c>Warning(...)</c>;</item>
/// <item>tests of an id: <c>ErrorId: "A" or "B"</c>, <c>ErrorId == "A"</c>, <c>Code == "A"</c>, and the labels of a
/// switch on one (<c>code switch { "A" or "B" => ... }</c>).</item>
/// </list>
/// Messages never match (they have spaces), and lower-case field names never do.
/// </summary>
internal static class ErrorIdScanner
{
    private static readonly Regex PascalCase = new("^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$", RegexOptions.CultureInvariant);

    private static readonly HashSet<string> IdCarriers =
        ["MigrationPlanIssue", "RejectedRecord", "ValidationReject", "ErrorRecord", "Blocker", "Warning"];

    private static readonly HashSet<string> TargetTypedMarkers = ["MigrationErrorKind", "PlanIssueSeverity"];

    /// <summary>The folders whose code raises errors the user sees: the engine and the cmdlets.</summary>
    public static readonly string[] SourceFolders = [Path.Combine("src", "PSUnifiedMigration.Engine"), Path.Combine("src", "PSUnifiedMigration")];

    /// <summary>Every id used under the source folders, with the files that use it.</summary>
    public static SortedDictionary<string, SortedSet<string>> Scan(string repositoryRoot)
    {
        var found = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var folder in SourceFolders)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(repositoryRoot, folder), "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(repositoryRoot, file);
                if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
                {
                    continue;
                }

                foreach (var id in Find(File.ReadAllText(file)))
                {
                    (found.TryGetValue(id, out var files) ? files : found[id] = new SortedSet<string>(StringComparer.Ordinal)).Add(relative);
                }
            }
        }

        return found;
    }

    /// <summary>The ids one source file uses.</summary>
    public static IReadOnlySet<string> Find(string source)
    {
        var tokens = CSharpTokens.Read(source);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var frames = new Stack<Frame>();
        frames.Push(new Frame(null));
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            switch (token.Text)
            {
                case "(" when token.Kind == TokenKind.Other:
                    frames.Push(new Frame(CalleeBefore(tokens, i)));
                    continue;
                case "{" when token.Kind == TokenKind.Other && SwitchesOnAnId(tokens, i):
                    frames.Push(new Frame("switch"));
                    continue;
                case "[" or "{" when token.Kind == TokenKind.Other:
                    frames.Push(new Frame(null));
                    continue;
                case ")" or "]" or "}" when token.Kind == TokenKind.Other && frames.Count > 1:
                    var closed = frames.Pop();
                    if (closed.Callee is null)
                    {
                        // Grouping parentheses and brackets: their literals belong to the enclosing argument.
                        frames.Peek().Current.AddRange(closed.Args.SelectMany(a => a));
                    }
                    else if (CarriesIds(closed))
                    {
                        ids.UnionWith(closed.Args.SelectMany(a => a).Where(IsId).Select(t => t.Text));
                    }

                    continue;
                case "," when token.Kind == TokenKind.Other:
                    frames.Peek().Args.Add([]);
                    continue;
            }

            if (token is { Kind: TokenKind.Identifier, Text: "ErrorId" or "Code" } && i + 1 < tokens.Count && tokens[i + 1].Text is ":" or "==" or "!=")
            {
                // A pattern or comparison: ErrorId: "A" or "B", ErrorId == "A".
                for (var j = i + 2; j < tokens.Count && IsId(tokens[j]); j += 2)
                {
                    ids.Add(tokens[j].Text);
                    if (j + 1 >= tokens.Count || tokens[j + 1].Text != "or")
                    {
                        break;
                    }
                }
            }

            frames.Peek().Current.Add(token);
        }

        return ids;
    }

    private static bool IsId(Token token) => token is { Kind: TokenKind.String, Plain: true } && PascalCase.IsMatch(token.Text);

    /// <summary>The name an opening parenthesis belongs to: the type after new ("new" alone when target-typed), or the method called.</summary>
    private static string? CalleeBefore(List<Token> tokens, int open)
    {
        if (open == 0 || tokens[open - 1].Kind != TokenKind.Identifier)
        {
            return null;
        }

        var name = tokens[open - 1].Text;
        return name is "if" or "while" or "for" or "foreach" or "switch" or "using" or "lock" or "catch" or "when" or "return" or "typeof" or "nameof"
            ? null
            : name;
    }

    /// <summary>A switch on an id (<c>code switch { "A" or "B" => ... }</c>): its case labels are ids.</summary>
    private static bool SwitchesOnAnId(List<Token> tokens, int open) =>
        open >= 2 && tokens[open - 1].Text == "switch" && tokens[open - 2].Text is "code" or "Code" or "errorId" or "ErrorId";

    private static bool CarriesIds(Frame frame) => frame.Callee switch
    {
        "switch" => true,
        "new" => frame.Args.Any(a => a.Any(t => t.Kind == TokenKind.Identifier && TargetTypedMarkers.Contains(t.Text))),
        { } name => name.EndsWith("Exception", StringComparison.Ordinal) || IdCarriers.Contains(name),
        null => false,
    };

    /// <summary>An open parenthesis or bracket and the tokens of its arguments, outside nested calls.</summary>
    private sealed class Frame(string? callee)
    {
        public string? Callee { get; } = callee;

        public List<List<Token>> Args { get; } = [[]];

        public List<Token> Current => Args[^1];
    }
}
