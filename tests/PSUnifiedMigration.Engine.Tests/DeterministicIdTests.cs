using PSUnifiedMigration.Engine.Identity;

namespace PSUnifiedMigration.Engine.Tests;

public class DeterministicIdTests
{
    [Fact]
    public void Version5_matches_the_rfc4122_reference_value()
    {
        var dns = new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        Assert.Equal(new Guid("886313e1-3b8a-5372-9b90-0c9aee199e5d"), DeterministicId.Version5(dns, "python.org"));
    }

    [Fact]
    public void A_uuid_legacy_id_is_kept()
    {
        var id = Guid.NewGuid();
        Assert.Equal(id, DeterministicId.ForLegacyId("claude", id.ToString()));
    }

    [Fact]
    public void A_non_uuid_legacy_id_maps_to_the_same_uuid_every_time_and_differs_by_origin()
    {
        var first = DeterministicId.ForLegacyId("claude", "chunk_0123456789abcdef");
        Assert.Equal(first, DeterministicId.ForLegacyId("claude", "chunk_0123456789abcdef"));
        Assert.NotEqual(first, DeterministicId.ForLegacyId("cognee", "chunk_0123456789abcdef"));
    }
}
