using System.Text;

namespace PSUnifiedMigration.Engine.Targets.Neo4j;

/// <summary>
/// Names that come from data and must appear in Cypher text: labels and relationship types cannot be
/// parameters. They are reduced to letters, digits and underscores and then backtick-quoted, so no data can
/// change a statement's meaning. Property keys never enter the text: they travel as keys of parameter maps.
/// </summary>
public static class CypherNames
{
    public const string FallbackLabel = "Unknown";

    public const string FallbackRelationshipType = "RELATED_TO";

    /// <summary>A node label for a data point type: letters, digits and '_' only; never empty; never starting with a digit.</summary>
    public static string Label(string? type) => Sanitise(type, FallbackLabel);

    /// <summary>A relationship type for a relationship name, by the same rule as <see cref="Label"/>.</summary>
    public static string RelationshipType(string? relationshipName) => Sanitise(relationshipName, FallbackRelationshipType);

    /// <summary>The identifier in backticks, any backtick inside doubled.</summary>
    public static string Quote(string identifier) => "`" + identifier.Replace("`", "``", StringComparison.Ordinal) + "`";

    /// <summary>
    /// A property key Neo4j accepts for a key from data: the key itself, except that Neo4j rejects the empty key
    /// and that keys the graph store writes itself must not be overwritten by data. Such a key gets '_' prefixed
    /// until it clashes with neither the store's keys nor <paramref name="taken"/> (the data's keys and those given so far).
    /// </summary>
    public static string PropertyKey(string key, IReadOnlySet<string> reserved, IReadOnlySet<string> taken)
    {
        if (key.Length > 0 && !reserved.Contains(key))
        {
            return key;
        }

        var candidate = "_" + key;
        while (reserved.Contains(candidate) || taken.Contains(candidate))
        {
            candidate = "_" + candidate;
        }

        return candidate;
    }

    private static string Sanitise(string? text, string fallback)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        var name = new StringBuilder(text.Length + 1);
        foreach (var c in text)
        {
            name.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
        }

        if (char.IsDigit(name[0]))
        {
            name.Insert(0, '_');
        }

        return name.ToString();
    }
}
