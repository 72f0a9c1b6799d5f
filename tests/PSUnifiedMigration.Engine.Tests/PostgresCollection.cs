using PSUnifiedMigration.TestSupport;

namespace PSUnifiedMigration.Engine.Tests;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
