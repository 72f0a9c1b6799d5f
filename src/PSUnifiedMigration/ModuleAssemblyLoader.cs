using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace PSUnifiedMigration;

/// <summary>
/// Loads the engine and its dependencies (Npgsql and friends) from dependencies/ into a private
/// AssemblyLoadContext, so they never clash with other versions loaded in the same PowerShell session.
/// This is the pattern of PowerShell-Docs' "Resolving PowerShell module assembly dependency conflicts".
/// The resolver is installed when the module is imported, before PowerShell reflects over cmdlet
/// parameters typed with engine classes (Get-Command, tab completion), and removed when it is removed.
/// </summary>
public sealed class ModuleAssemblyLoader : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string EngineAssembly = "PSUnifiedMigration.Engine";
    private static readonly string DependencyDirectory =
        Path.Combine(Path.GetDirectoryName(typeof(ModuleAssemblyLoader).Assembly.Location)!, "dependencies");
    private static readonly DependencyLoadContext Context = new(DependencyDirectory);
    private static int _registered;

    // Every runspace that imports the module calls OnImport; the process needs the resolver once.
    public void OnImport()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            AssemblyLoadContext.Default.Resolving += ResolveEngine;
        }
    }

    public void OnRemove(PSModuleInfo module)
    {
        if (Interlocked.Exchange(ref _registered, 0) == 1)
        {
            AssemblyLoadContext.Default.Resolving -= ResolveEngine;
        }
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name) =>
        name.Name == EngineAssembly ? Context.LoadFromAssemblyName(name) : null;

    private sealed class DependencyLoadContext(string directory) : AssemblyLoadContext("PSUnifiedMigration")
    {
        protected override Assembly? Load(AssemblyName name)
        {
            var path = Path.Combine(directory, name.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        /// <summary>Native libraries (SQLite's e_sqlite3) come from dependencies/runtimes/&lt;os&gt;-&lt;arch&gt;/native/.</summary>
        protected override IntPtr LoadUnmanagedDll(string name)
        {
            var (os, file) = OperatingSystem.IsWindows() ? ("win", name + ".dll")
                : OperatingSystem.IsMacOS() ? ("osx", "lib" + name + ".dylib")
                : ("linux", "lib" + name + ".so");
            var architecture = RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
            var path = Path.Combine(directory, "runtimes", $"{os}-{architecture}", "native", file);
            return File.Exists(path) ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
        }
    }
}
