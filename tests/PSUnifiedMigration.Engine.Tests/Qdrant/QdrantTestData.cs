using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Identity;
using PSUnifiedMigration.Engine.Targets.Qdrant;

namespace PSUnifiedMigration.Engine.Tests.Qdrant;

/// <summary>Points and settings shared by the wire-level and the real-Qdrant tests.</summary>
internal static class QdrantTestData
{
    /// <summary>Short waits, so retry tests take milliseconds unless the server asks for more (Retry-After).</summary>
    public static readonly QdrantClientOptions FastRetries = new()
    {
        MaxAttempts = 4,
        InitialDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromSeconds(5),
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Dot keeps vectors as written (Cosine normalises them), so they can be compared exactly.</summary>
    public static QdrantCollectionSpec Spec(string name, int size = 8) => new(name, "dense", size, QdrantDistance.Dot, "sparse");

    /// <summary>Points with unified-style ids and payload; <paramref name="first"/> keeps ids distinct across calls.</summary>
    public static List<VectorPoint> Points(int count, Guid runId, int size = 8, int first = 0) =>
        Enumerable.Range(first, count).Select(i => new VectorPoint(
            DeterministicId.Version5(DeterministicId.UnifiedNamespace, $"qdrant-test:{i}"),
            Enumerable.Range(0, size).Select(d => (float)Math.Sin(i * 31 + d) / 3f).ToArray(),
            new QdrantSparseVector([(uint)i, (uint)(i + 1000)], [0.25f, i / 7f]),
            new JsonObject
            {
                ["run_id"] = runId.ToString("D"),
                ["project_id"] = DeterministicId.Version5(DeterministicId.UnifiedNamespace, "project").ToString("D"),
                ["system_origin"] = "claude-context",
                ["source_type"] = "chunk",
                ["language"] = i % 2 == 0 ? "csharp" : "python",
                ["relative_path"] = $"src/file{i}.cs",
                ["chunk_index"] = i,
            })).ToList();

    /// <summary>A loopback port with nothing listening on it.</summary>
    public static int UnusedPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public static async Task<List<VectorPoint>> ReadAllAsync(QdrantVectorStore store, QdrantCollectionSpec spec, int pageSize)
    {
        var all = new List<VectorPoint>();
        Guid? next = null;
        do
        {
            var page = await store.ReadPageAsync(spec, next, pageSize, default);
            Assert.True(page.Points.Count <= pageSize);
            all.AddRange(page.Points);
            next = page.Next;
        }
        while (next is not null);

        return all;
    }
}
