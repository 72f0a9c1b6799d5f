using Xunit;

namespace PSUnifiedMigration.TestSupport;

/// <summary>
/// A fact that needs a Docker engine (Testcontainers). Where none is configured it is skipped with the reason
/// spelled out, so a skip is never mistaken for a pass.
/// </summary>
public sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute()
    {
        if (DockerAvailability.WhyNot is { } reason)
        {
            Skip = $"Docker is not available here ({reason}): the container tests (real Qdrant, real Neo4j 5) run where Docker exists";
        }
    }
}

/// <summary>Whether a Docker engine is configured for Testcontainers.</summary>
public static class DockerAvailability
{
    /// <summary>Null when a Docker engine is configured: DOCKER_HOST is set, or a Docker socket exists; else why not.</summary>
    public static string? WhyNot { get; } = Probe();

    private static string? Probe()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST")))
        {
            return null;
        }

        if (OperatingSystem.IsWindows())
        {
            return File.Exists(@"\\.\pipe\docker_engine") ? null : @"no DOCKER_HOST and no \\.\pipe\docker_engine";
        }

        // The rootful socket, then the rootless one and Docker Desktop's, as Testcontainers looks for them.
        var sockets = new List<string> { "/var/run/docker.sock" };
        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime)
        {
            sockets.Add(Path.Combine(runtime, "docker.sock"));
        }

        sockets.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker", "run", "docker.sock"));
        return sockets.Any(File.Exists) ? null : "no DOCKER_HOST and no Docker socket at " + string.Join(", ", sockets);
    }
}
