using PSUnifiedMigration.Engine.Targets.Neo4j;

namespace PSUnifiedMigration.Engine.Tests.Neo4j;

public class CypherNamesTests
{
    [Theory]
    [InlineData("Entity", "Entity")]
    [InlineData("Entity`) DETACH DELETE n //", "Entity___DETACH_DELETE_n___")]
    [InlineData("a-b c", "a_b_c")]
    [InlineData("Größe_1", "Größe_1")]
    [InlineData("9lives", "_9lives")]
    [InlineData("", "Unknown")]
    [InlineData(null, "Unknown")]
    public void A_label_keeps_letters_digits_and_underscores_only(string? type, string label)
    {
        Assert.Equal(label, CypherNames.Label(type));
    }

    [Theory]
    [InlineData("is_a", "is_a")]
    [InlineData("REL`]->() DETACH DELETE a //", "REL_______DETACH_DELETE_a___")]
    [InlineData("", "RELATED_TO")]
    [InlineData(null, "RELATED_TO")]
    public void A_relationship_type_follows_the_same_rule_with_its_own_fallback(string? name, string type)
    {
        Assert.Equal(type, CypherNames.RelationshipType(name));
    }

    [Fact]
    public void Quoting_wraps_in_backticks_and_doubles_any_backtick_inside()
    {
        Assert.Equal("`Entity`", CypherNames.Quote("Entity"));
        Assert.Equal("`a``b`", CypherNames.Quote("a`b"));
    }

    [Fact]
    public void A_data_key_keeps_its_name_unless_it_is_empty_or_one_the_store_writes()
    {
        var reserved = new HashSet<string> { "id", "run_id" };
        var taken = new HashSet<string> { "id", "_id", "", "weird `key`" };

        Assert.Equal("weird `key`", CypherNames.PropertyKey("weird `key`", reserved, taken));
        Assert.Equal("__id", CypherNames.PropertyKey("id", reserved, taken));
        Assert.Equal("_", CypherNames.PropertyKey("", reserved, taken));
        Assert.Equal("_id", CypherNames.PropertyKey("_id", reserved, taken));
    }
}
