using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace PSUnifiedMigration;

/// <summary>
/// Loads the engine and its dependencies (Npgsql and friends) from dependencies/ into a private
/// AssemblyLoadContext, so they never clash with other versions loaded in the same PowerShell session.
/// This is the pattern of PowerShell-Docs' "Resolving PowerShell module assembly dependency conflicts".
/// </summary>
internal static class ModuleAssemblyLoader
{
    private const string EngineAssembly = "PSUnifiedMigration.Engine";
    private static readonly string DependencyDirectory =
        Path.Combine(Path.GetDirectoryName(typeof(ModuleAssemblyLoader).Assembly.Location)!, "dependencies");
    private static readonly DependencyLoadContext Context = new(DependencyDirectory);

    // A module initializer runs before any type of this assembly is used, so the resolver is in place
    // before PowerShell reflects over cmdlet parameters typed with engine classes.
#pragma warning disable CA2255 // A binary module is exactly the case a module initializer is meant for here.
    [ModuleInitializer]
    internal static void Register() => AssemblyLoadContext.Default.Resolving += ResolveEngine;
#pragma warning restore CA2255

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name) =>
        name.Name == EngineAssembly ? Context.LoadFromAssemblyName(name) : null;

    private sealed class DependencyLoadContext(string directory) : AssemblyLoadContext("PSUnifiedMigration")
    {
        protected override Assembly? Load(AssemblyName name)
        {
            var path = Path.Combine(directory, name.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
