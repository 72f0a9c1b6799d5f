using System.Text;

namespace PSUnifiedMigration.Engine.Targets.Postgres;

/// <summary>Identifier quoting: every identifier that reaches SQL text goes through here.</summary>
public static class Sql
{
    public static string Quote(string identifier)
    {
        if (identifier.Contains('\0'))
        {
            throw new ArgumentException("An identifier cannot contain NUL.", nameof(identifier));
        }

        return "\"" + identifier.Replace("\"", "\"\"") + "\"";
    }

    public static string Qualified(string schema, string table) => Quote(schema) + "." + Quote(table);

    public static string QuoteList(IEnumerable<string> identifiers) => string.Join(", ", identifiers.Select(Quote));

    /// <summary>A SQL string literal, for the few places (DDL) where a parameter is impossible.</summary>
    public static string Literal(string value)
    {
        if (value.Contains('\0'))
        {
            throw new ArgumentException("A literal cannot contain NUL.", nameof(value));
        }

        var builder = new StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value)
        {
            builder.Append(c == '\'' ? "''" : c.ToString());
        }

        return builder.Append('\'').ToString();
    }
}
