using PSUnifiedMigration.TestSupport;

namespace PSUnifiedMigration.Module.Tests;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
