using Npgsql;

namespace PSUnifiedMigration.Engine.Tests;

[Collection(PostgresCollection.Name)]
public class LocalPostgresServerTests(PostgresFixture fixture)
{
    [Fact]
    public async Task Each_created_database_is_empty_and_reachable()
    {
        var connectionString = await fixture.Server.CreateDatabaseAsync("empty");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog','information_schema')", connection);
        Assert.Equal(0L, await command.ExecuteScalarAsync());
    }
}
