using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Targets.Neo4j;

namespace PSUnifiedMigration.Engine.Tests.Neo4j;

/// <summary>The client's HTTP behaviour against a scripted server: discovery of 4.x and 5.x, retries, credentials.</summary>
public class Neo4jHttpClientWireTests
{
    private const string Secret = "S3cr3t-Passw0rd!";
    private static readonly Neo4jClientOptions QuickRetries = new() { FirstRetryDelay = TimeSpan.FromMilliseconds(10), MaxRetryDelay = TimeSpan.FromMilliseconds(40) };
    private const string OneRow = """{"results":[{"columns":["x"],"data":[{"row":[1],"meta":[null]}]}],"errors":[]}""";

    private static (int, string) DiscoveryOr(ReceivedRequest request, Func<(int, string)> commit) =>
        request.Method == "GET" ? (200, FakeNeo4jServer.Discovery("5.26.0")) : commit();

    [Theory]
    [InlineData("4.4.12")]
    [InlineData("5.26.0")]
    public async Task Discovery_on_Neo4j_4_and_5_fills_the_database_into_the_transaction_template(string version)
    {
        using var server = new FakeNeo4jServer(r => r.Method == "GET" ? (200, FakeNeo4jServer.Discovery(version)) : (200, FakeNeo4jServer.EmptyResults));

        using var client = await Neo4jHttpClient.ConnectAsync(Neo4jEndpoint.Parse(server.Uri.ToString(), database: "mydb"), default);

        Assert.Equal(Version.Parse(version), client.ServerVersion);
        // The advertised host (localhost:7474) is the server's own view; the client keeps the address it reached.
        Assert.Equal(new Uri(server.Uri, "/db/mydb/tx/commit"), client.CommitEndpoint);
        Assert.Contains(server.Requests, r => r is { Method: "POST", Path: "/db/mydb/tx/commit" });
    }

    [Fact]
    public async Task An_HTTP_503_is_retried_and_the_statements_then_succeed()
    {
        var commits = 0;
        using var server = new FakeNeo4jServer(r => DiscoveryOr(r, () => ++commits switch
        {
            1 => (200, FakeNeo4jServer.EmptyResults),
            2 => (503, "Service Unavailable"),
            _ => (200, OneRow),
        }));
        using var client = await Neo4jHttpClient.ConnectAsync(Neo4jEndpoint.Parse(server.Uri.ToString()), default, QuickRetries);

        var results = await client.RunAsync([new CypherStatement("RETURN 1 AS x")], default);

        Assert.Equal(1, results[0].Rows[0][0]!.GetValue<int>());
        Assert.Equal(3, commits);
    }

    [Fact]
    public async Task A_connection_dropped_in_the_middle_of_the_answer_is_retried()
    {
        var commits = 0;
        using var server = new FakeNeo4jServer(r => DiscoveryOr(r, () => ++commits == 2 ? (FakeNeo4jServer.Reset, "") : (200, OneRow)));
        using var client = await Neo4jHttpClient.ConnectAsync(Neo4jEndpoint.Parse(server.Uri.ToString()), default, QuickRetries);

        await client.RunAsync([new CypherStatement("RETURN 1 AS x")], default);

        Assert.Equal(3, commits);
    }

    [Fact]
    public async Task A_transient_Neo4j_error_is_retried()
    {
        var commits = 0;
        using var server = new FakeNeo4jServer(r => DiscoveryOr(r, () => ++commits == 2
            ? (200, """{"results":[],"errors":[{"code":"Neo.TransientError.Transaction.DeadlockDetected","message":"deadlock"}]}""")
            : (200, OneRow)));
        using var client = await Neo4jHttpClient.ConnectAsync(Neo4jEndpoint.Parse(server.Uri.ToString()), default, QuickRetries);

        await client.RunAsync([new CypherStatement("RETURN 1 AS x")], default);

        Assert.Equal(3, commits);
    }

    [Fact]
    public async Task Retries_end_after_the_bounded_number_of_attempts_with_a_connection_error()
    {
        var commits = 0;
        using var server = new FakeNeo4jServer(r => DiscoveryOr(r, () => ++commits == 1 ? (200, FakeNeo4jServer.EmptyResults) : (502, "Bad Gateway")));
        using var client = await Neo4jHttpClient.ConnectAsync(Neo4jEndpoint.Parse(server.Uri.ToString()), default, QuickRetries);

        var error = await Assert.ThrowsAsync<MigrationException>(() => client.RunAsync([new CypherStatement("RETURN 1 AS x")], default));

        Assert.Equal(("Neo4jHttpError", MigrationErrorKind.ConnectionError), (error.ErrorId, error.Kind));
        Assert.Equal(1 + QuickRetries.MaxAttempts, commits);
    }

    [Fact]
    public async Task A_client_error_is_not_retried()
    {
        var commits = 0;
        using var server = new FakeNeo4jServer(r => DiscoveryOr(r, () => ++commits == 1
            ? (200, FakeNeo4jServer.EmptyResults)
            : (200, """{"results":[],"errors":[{"code":"Neo.ClientError.Statement.TypeError","message":"Collections containing null values can not be stored in properties."}]}""")));
        using var client = await Neo4jHttpClient.ConnectAsync(Neo4jEndpoint.Parse(server.Uri.ToString()), default, QuickRetries);

        var error = await Assert.ThrowsAsync<Neo4jException>(() => client.RunAsync([new CypherStatement("CREATE (n) SET n.x = $v")], default));

        Assert.Equal(("Neo.ClientError.Statement.TypeError", MigrationErrorKind.InvalidData), (error.Neo4jCode, error.Kind));
        Assert.Equal(2, commits);
    }

    [Fact]
    public async Task The_credentials_travel_as_a_basic_authorization_header()
    {
        using var server = new FakeNeo4jServer(r => DiscoveryOr(r, () => (200, FakeNeo4jServer.EmptyResults)));

        using var client = await Neo4jHttpClient.ConnectAsync(
            Neo4jEndpoint.Parse(server.Uri.ToString(), "loader", new NetworkCredential("", Secret).SecurePassword), default);

        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("loader:" + Secret));
        Assert.All(server.Requests, r => Assert.Equal(expected, r.Authorization));
    }

    [Fact]
    public async Task A_rejected_login_is_an_authentication_error_that_never_shows_the_password()
    {
        using var server = new FakeNeo4jServer(r => r.Method == "GET"
            ? (200, FakeNeo4jServer.Discovery("5.26.0"))
            : (401, """{"errors":[{"code":"Neo.ClientError.Security.Unauthorized","message":"Invalid username or password."}]}"""));
        var endpoint = Neo4jEndpoint.Parse($"http://loader:{Uri.EscapeDataString(Secret)}@127.0.0.1:{server.Port}/");

        var error = await Assert.ThrowsAsync<Neo4jException>(() => Neo4jHttpClient.ConnectAsync(endpoint, default, QuickRetries));

        Assert.Equal(("Neo4jAuthenticationFailed", MigrationErrorKind.AuthenticationError), (error.ErrorId, error.Kind));
        Assert.Contains("loader", error.Message);
        Assert.DoesNotContain(Secret, error.ToString());
        Assert.DoesNotContain(Secret, error.Target?.ToString() ?? "");
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Ensuring_the_schema_on_Neo4j_5_uses_its_constraint_syntax()
    {
        using var server = new FakeNeo4jServer(r => DiscoveryOr(r, () => (200, FakeNeo4jServer.EmptyResults)));
        using var client = await Neo4jHttpClient.ConnectAsync(Neo4jEndpoint.Parse(server.Uri.ToString()), default);

        await new Neo4jGraphStore(client).EnsureSchemaAsync(default);

        var statements = server.Requests.Where(r => r.Method == "POST")
            .SelectMany(r => JsonNode.Parse(r.Body)!["statements"]!.AsArray().Select(s => s!["statement"]!.GetValue<string>()));
        Assert.Contains("CREATE CONSTRAINT unified_node_id IF NOT EXISTS FOR (n:`UnifiedNode`) REQUIRE n.id IS UNIQUE", statements);
        Assert.Contains("CREATE CONSTRAINT IF NOT EXISTS FOR (n:`__Node__`) REQUIRE n.id IS UNIQUE", statements);
    }

    [Fact]
    public async Task Cancelling_while_waiting_to_retry_stops_the_request()
    {
        var commits = 0;
        using var server = new FakeNeo4jServer(r => DiscoveryOr(r, () => ++commits == 1 ? (200, FakeNeo4jServer.EmptyResults) : (503, "")));
        using var client = await Neo4jHttpClient.ConnectAsync(Neo4jEndpoint.Parse(server.Uri.ToString()), default,
            QuickRetries with { FirstRetryDelay = TimeSpan.FromSeconds(30), MaxRetryDelay = TimeSpan.FromSeconds(30) });
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.RunAsync([new CypherStatement("RETURN 1")], cancellation.Token));

        Assert.Equal(2, commits);
    }
}
