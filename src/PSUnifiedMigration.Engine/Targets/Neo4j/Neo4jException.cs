namespace PSUnifiedMigration.Engine.Targets.Neo4j;

/// <summary>A failure Neo4j reported in the errors of a response, with Neo4j's own status code (such as Neo.ClientError.Statement.SyntaxError).</summary>
public sealed class Neo4jException : MigrationException
{
    public Neo4jException(string errorId, MigrationErrorKind kind, string neo4jCode, string message, object? target)
        : base(errorId, kind, message, target)
    {
        Neo4jCode = neo4jCode;
    }

    public string Neo4jCode { get; }
}
