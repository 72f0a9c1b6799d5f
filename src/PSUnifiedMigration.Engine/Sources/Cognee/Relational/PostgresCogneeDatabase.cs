using PSUnifiedMigration.Engine.Records;
using System.Data.Common;
using Npgsql;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Sources.Cognee.Relational;

/// <summary>Cognee's relational store on PostgreSQL (DB_PROVIDER=postgres), read in one REPEATABLE READ READ ONLY transaction.</summary>
internal sealed class PostgresCogneeDatabase(PostgresEndpoint endpoint) : CogneeDatabase
{
    private NpgsqlConnection? _connection;

    public override string Location => endpoint.Redacted;

    public override string ServerVersion => "PostgreSQL " + (_connection?.PostgreSqlVersion.ToString() ?? "?");

    protected override DbConnection Connection => _connection ?? throw new InvalidOperationException("The database is not open.");

    /// <summary>Cognee creates its tables in the connection's default schema (public unless search_path says otherwise).</summary>
    public override string CatalogSql => """
        SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns AS c
        JOIN information_schema.tables AS t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
        WHERE c.table_schema = current_schema() ORDER BY c.table_name, c.ordinal_position
        """;

    public override async Task OpenAsync(CancellationToken cancellationToken) => _connection ??= await endpoint.OpenAsync(cancellationToken);

    protected override async Task<DbTransaction> BeginReadOnlyAsync(CancellationToken cancellationToken) =>
        await ReadSnapshot.BeginAsync(_connection!, cancellationToken);

    public override long TableBytes(string table) =>
        ScalarLong("SELECT coalesce(pg_total_relation_size(to_regclass(@table)), 0)", ("@table", Sql.Quote(table)));

    public override string ListAggregate(string expression, bool distinct = false) =>
        $"string_agg({(distinct ? "DISTINCT " : "")}({expression})::text, ',')";

    public override string AnyValue(string expression) => $"max(({expression})::text)";

    public override string PageKey(string expression) => $"(({expression})::text COLLATE \"C\")";

    public override object UuidParameter(Guid id) => id;
}
