using System.Diagnostics;
using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Engine.Sources.Cognee.Native;

/// <summary>
/// The Node.js helper (module/native-reader/reader.js) that reads Cognee's native stores with their own npm packages,
/// which no .NET library replaces. Each call starts <c>node reader.js &lt;command&gt; ...</c> and reads one JSON object
/// per line from its stdout until the closing <c>{"end": ...}</c> line, so memory holds one page and a helper that
/// died mid-page is an error, never a short page.
/// </summary>
internal sealed class NativeReaderHelper(string folder)
{
    /// <summary>Overrides where the helper is (a folder holding reader.js and its node_modules), for tests and custom layouts.</summary>
    public const string FolderVariable = "PSUM_NATIVE_READER";

    /// <summary>Node.js 18 is the oldest release the pinned packages support.</summary>
    public const int MinimumNodeMajor = 18;

    public string Folder { get; } = folder;

    public string Script => Path.Combine(Folder, "reader.js");

    /// <summary>The command that installs the helper's packages where the engine looks for them.</summary>
    public string InstallCommand => $"npm ci --omit=dev --prefix \"{Folder}\"";

    /// <summary>PSUM_NATIVE_READER when set, else native-reader/ in the module folder (beside the cmdlet assembly, one above dependencies/).</summary>
    public static NativeReaderHelper Locate()
    {
        if (Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } configured)
        {
            return new NativeReaderHelper(Path.GetFullPath(configured));
        }

        var here = Path.GetDirectoryName(typeof(NativeReaderHelper).Assembly.Location) ?? AppContext.BaseDirectory;
        var candidates = new[] { Path.Combine(here, "native-reader"), Path.Combine(here, "..", "native-reader") };
        return new NativeReaderHelper(Path.GetFullPath(candidates.FirstOrDefault(Directory.Exists) ?? candidates[1]));
    }

    /// <summary>
    /// Null when Node.js (18 or later) runs the helper and the named packages load; otherwise what is missing. Only
    /// the packages the installation's stores need are required.
    /// </summary>
    public async Task<string?> ProblemAsync(IEnumerable<string> needed, CancellationToken cancellationToken)
    {
        if (!File.Exists(Script))
        {
            return $"the native reader helper {Script} is missing";
        }

        JsonObject report;
        try
        {
            report = (await RunAsync(["check"], line => line, cancellationToken)).Single();
        }
        catch (MigrationException e)
        {
            return e.Message;
        }

        var version = report["node"]?.GetValue<string>() ?? "0";
        if (!int.TryParse(version.Split('.')[0], out var major) || major < MinimumNodeMajor)
        {
            return $"Node.js {version} is too old (the native reader needs {MinimumNodeMajor} or later)";
        }

        var missing = needed.Where(p => report["packages"]?[p] is null).ToList();
        return missing.Count == 0 ? null : $"the npm package(s) {string.Join(", ", missing)} of the native reader are not installed in {Folder}";
    }

    /// <summary>Runs one helper command and maps each line it writes; the closing line is checked, not returned.</summary>
    public async Task<IReadOnlyList<T>> RunAsync<T>(IReadOnlyList<string> arguments, Func<JsonObject, T> map, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Folder };
        start.ArgumentList.Add(Script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new MigrationException("CogneeNativeReaderUnavailable", MigrationErrorKind.ObjectNotFound,
                $"Node.js could not be started for the native reader ({e.Message}). Install Node.js {MinimumNodeMajor} or later and put node on PATH.", Script, e);
        }

        using (process)
        using (cancellationToken.Register(() => Kill(process)))
        {
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            var results = new List<T>();
            var ended = false;
            while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
            {
                var frame = JsonNode.Parse(line) as JsonObject ?? throw Failed(arguments, "a line that is not a JSON object");
                if (frame.ContainsKey("end"))
                {
                    ended = true;
                    continue;
                }

                results.Add(map(frame));
            }

            await process.WaitForExitAsync(cancellationToken);
            // The first line says what failed; native engines append long "Caused by" chains and stack traces.
            var error = (await errors).Trim().Split('\n')[0];
            error = error.Length > 400 ? error[..400] + "..." : error;
            return process.ExitCode == 0 && ended ? results : throw Failed(arguments, error.Length > 0 ? error : $"exit code {process.ExitCode} without its closing line");
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }

    private MigrationException Failed(IReadOnlyList<string> arguments, string detail) =>
        new("CogneeNativeReadFailed", MigrationErrorKind.InvalidData,
            $"The native reader failed on '{string.Join(' ', arguments.Take(3))}': {detail}. Check the store is not being written by Cognee, then run again (the run resumes).", Script);
}
