using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration.Engine.Tests;

public class PostgresEndpointTests
{
    [Fact]
    public void A_password_in_a_key_value_connection_string_is_redacted()
    {
        var endpoint = PostgresEndpoint.Parse("Host=db01;Port=6543;Database=cc;Username=ops;Password=hunter2");

        Assert.DoesNotContain("hunter2", endpoint.Redacted);
        Assert.Contains("Password=********", endpoint.Redacted);
        Assert.Equal("db01:6543/cc", endpoint.Display);
    }

    [Fact]
    public void A_postgres_uri_is_understood_and_its_password_redacted()
    {
        var endpoint = PostgresEndpoint.Parse("postgresql://ops:p%40ss@db02:5433/unified?sslmode=disable");

        Assert.Equal("db02", endpoint.Host);
        Assert.Equal(5433, endpoint.Port);
        Assert.Equal("unified", endpoint.Database);
        Assert.Equal("ops", endpoint.Username);
        Assert.DoesNotContain("p@ss", endpoint.Redacted);
        Assert.DoesNotContain("p%40ss", endpoint.Redacted);
    }

    [Fact]
    public void An_unparsable_connection_string_is_rejected_without_echoing_it()
    {
        var error = Assert.Throws<MigrationException>(() => PostgresEndpoint.Parse("Host=db;Pasword=hunter2"));

        Assert.Equal("ConnectionStringInvalid", error.ErrorId);
        Assert.DoesNotContain("hunter2", error.Message);
    }

    [Fact]
    public void An_explicit_credential_replaces_the_user_of_the_connection_string()
    {
        var password = new System.Net.NetworkCredential("", "secret").SecurePassword;

        var endpoint = PostgresEndpoint.Parse("Host=db;Database=x;Username=someone", "ops", password);

        Assert.Equal("ops", endpoint.Username);
        Assert.Contains("Password=********", endpoint.Redacted);
    }
}
