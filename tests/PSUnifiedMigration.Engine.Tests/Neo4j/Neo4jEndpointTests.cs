using System.Net;
using System.Net.Sockets;
using PSUnifiedMigration.Engine.Targets.Neo4j;

namespace PSUnifiedMigration.Engine.Tests.Neo4j;

public class Neo4jEndpointTests
{
    [Theory]
    [InlineData("bolt://neo4j:secret@graph01:7687")]
    [InlineData("graph01:7474")]
    [InlineData("http://neo4j:secret@graph01:7474/?x=1")]
    [InlineData(" ")]
    public void A_URI_that_is_not_an_http_address_is_refused_without_echoing_it(string uri)
    {
        var error = Assert.Throws<MigrationException>(() => Neo4jEndpoint.Parse(uri));

        Assert.Equal(("Neo4jUriInvalid", MigrationErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
        Assert.DoesNotContain("secret", error.Message);
    }

    [Fact]
    public void A_password_in_the_URI_is_moved_out_and_redacted_everywhere()
    {
        var endpoint = Neo4jEndpoint.Parse("https://loader:p%40ss@graph01:7473/");

        Assert.Equal("https://loader:********@graph01:7473/", endpoint.Redacted);
        Assert.Equal(endpoint.Redacted, endpoint.ToString());
        Assert.Equal("graph01:7473/neo4j", endpoint.Display);
        Assert.Equal(("loader", true), (endpoint.UserName, endpoint.HasPassword));
        Assert.Equal("https://graph01:7473/", endpoint.Uri.ToString());
    }

    [Fact]
    public async Task A_refused_connection_is_a_connection_error_naming_the_redacted_URI()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var endpoint = Neo4jEndpoint.Parse($"http://neo4j:hunter2@127.0.0.1:{port}");

        var error = await Assert.ThrowsAsync<MigrationException>(() => Neo4jHttpClient.ConnectAsync(endpoint, default));

        Assert.Equal(("Neo4jUnreachable", MigrationErrorKind.ConnectionError), (error.ErrorId, error.Kind));
        Assert.Contains($"http://neo4j:********@127.0.0.1:{port}/", error.Message);
        Assert.Contains("connection refused", error.Message);
        Assert.DoesNotContain("hunter2", error.ToString());
    }
}
