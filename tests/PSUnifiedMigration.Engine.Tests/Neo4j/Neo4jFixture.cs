using System.Net;
using PSUnifiedMigration.Engine.Targets.Neo4j;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Engine.Tests.Neo4j;

/// <summary>
/// One Neo4j server for all Neo4j tests: a private Neo4j 3.1.1 with authentication enabled, or the server named by
/// PSUM_TEST_NEO4J (an http URI with credentials, such as http://neo4j:secret@graph01:7474; authentication must be
/// enabled there, since a test checks that a wrong password is refused). Tests keep to their own ids and origins.
/// </summary>
public sealed class Neo4jFixture : IAsyncLifetime
{
    private const string Password = "psum-neo4j-test";
    private Neo4jServer? _server;
    private Neo4jHttpClient? _client;

    public Neo4jEndpoint Endpoint { get; private set; } = null!;

    /// <summary>A store on one client for all tests, its schema ensured.</summary>
    public Neo4jGraphStore Store { get; private set; } = null!;

    /// <summary>True when the tests run against the private Neo4j 3.1.1.</summary>
    public bool IsSandbox => _server is not null;

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("PSUM_TEST_NEO4J");
        if (!string.IsNullOrWhiteSpace(external))
        {
            Endpoint = Neo4jEndpoint.Parse(external);
        }
        else
        {
            _server = await Neo4jServer.StartAsync(RepositoryLayout.Neo4jPackages, Password);
            Endpoint = Neo4jEndpoint.Parse(_server.Uri.ToString(), Neo4jServer.UserName, new NetworkCredential("", Password).SecurePassword);
        }

        _client = await Neo4jHttpClient.ConnectAsync(Endpoint, default);
        Store = new Neo4jGraphStore(_client);
        await Store.EnsureSchemaAsync(default);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>The Neo4j tests, and the cross-store tests, which also need a PostgreSQL server.</summary>
[CollectionDefinition(Name)]
public sealed class Neo4jCollection : ICollectionFixture<Neo4jFixture>, ICollectionFixture<PostgresFixture>
{
    public const string Name = "neo4j";
}
