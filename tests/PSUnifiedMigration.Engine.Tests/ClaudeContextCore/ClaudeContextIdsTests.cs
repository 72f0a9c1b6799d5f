using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.Engine.Tests.ClaudeContextCore;

/// <summary>
/// The ids Claude-Context computes, against values derived outside this code base: each expected value was printed
/// by node 20 running the TypeScript functions' own steps with node's crypto (claude-context-core 5b02fcb
/// src/context.ts generateId, src/vectordb/qdrant-vectordb.ts stringToUUID; zilliztech/claude-context 6fc318b
/// packages/core/src/context.ts generateId and getCollectionName).
/// </summary>
public class ClaudeContextIdsTests
{
    private const string Content = "export const answer = 42;\n";

    [Fact]
    public void The_core_chunk_id_hashes_path_lines_chunk_index_and_content()
    {
        Assert.Equal("chunk_6109d0f8e7b92274", ClaudeContextIds.CoreChunkId("src/index.ts", 1, 3, 0, Content));
        Assert.Equal("chunk_a3a797cd9178afe1", ClaudeContextIds.CoreChunkId("src/index.ts", 1, 3, null, Content));
        Assert.Equal("chunk_56f3630600f35e2f", ClaudeContextIds.CoreChunkId("docs/Über.md", 1, 2, 1, "Grüße"));
    }

    [Fact]
    public void The_upstream_chunk_id_leaves_the_chunk_index_out()
    {
        Assert.Equal("chunk_5c896744cb56fcad", ClaudeContextIds.UpstreamChunkId("src/index.ts", 1, 3, Content));
    }

    /// <summary>
    /// By hand for chunk_0123456789abcdef: SHA-1("6ba7b810-9dad-11d1-80b4-00c04fd430c8chunk_0123456789abcdef") =
    /// 3103e519 8810 1f02 d0e5 6b76f6793a90 62b379e9; byte 6 0x1f becomes (0x1f &amp; 0x0f) | 0x50 = 0x5f, byte 8 0xd0
    /// becomes (0xd0 &amp; 0x3f) | 0x80 = 0x90, the last four bytes are dropped.
    /// </summary>
    [Fact]
    public void The_qdrant_point_id_is_a_uuid_shaped_sha1_of_the_namespace_string_and_the_chunk_id()
    {
        Assert.Equal(Guid.Parse("3103e519-8810-5f02-90e5-6b76f6793a90"), ClaudeContextIds.QdrantPointId("chunk_0123456789abcdef"));
        Assert.Equal(Guid.Parse("fb2ce028-1664-5a0b-b11c-2c92c71b1d24"), ClaudeContextIds.QdrantPointId("chunk_6109d0f8e7b92274"));
        Assert.Equal(Guid.Parse("ff0c8577-9e5b-586e-bcbf-035ee2e53fa8"), ClaudeContextIds.QdrantPointId("chunk_56f3630600f35e2f"));
    }

    [Fact]
    public void Collections_are_named_after_the_md5_of_the_codebase_path_and_tables_after_the_sanitised_collection()
    {
        Assert.Equal("hybrid_code_chunks_386a62c9", ClaudeContextIds.CodebaseCollection("/home/dev/project", hybrid: true));
        Assert.Equal("code_chunks_386a62c9", ClaudeContextIds.CodebaseCollection("/home/dev/project", hybrid: false));
        Assert.Equal("project_a_b_c_vectors", ClaudeContextIds.VectorsTable("Project-A.b c"));
    }
}
