using System.Text.Json;
using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Tests.Stores;

/// <summary>Bookkeeping rows name a savepoint part's store as text; rows from when it was an enum hold its number.</summary>
public sealed class SavepointStoreNameTests
{
    [Theory]
    [InlineData("\"Neo4j\"", "Neo4j")]
    [InlineData("\"Qdrant\"", "Qdrant")]
    [InlineData("1", "Neo4j")]
    [InlineData("2", "Qdrant")]
    public void A_savepoint_part_reads_its_store_as_text_or_as_the_former_enum_number_and_writes_text(string recorded, string store)
    {
        var part = JsonSerializer.Deserialize<List<SavepointPart>>($$"""[{"Store":{{recorded}},"Address":"http://a","Items":[]}]""")!.Single();

        Assert.Equal(store, part.Store);
        Assert.Contains($"\"Store\":\"{store}\"", JsonSerializer.Serialize(part));
    }
}
