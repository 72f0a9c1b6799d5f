using PSUnifiedMigration.Sandbox;
using Xunit;

namespace PSUnifiedMigration.TestSupport;

/// <summary>
/// One PostgreSQL server for a whole suite (a private cluster, or PSUM_TEST_POSTGRES); each test creates its
/// own databases. Each suite declares its own xUnit collection for it, since xUnit looks for them per assembly.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private LocalPostgresServer? _server;

    public LocalPostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture has not started.");

    public async Task InitializeAsync() => _server = await LocalPostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
