using System.Management.Automation;
using System.Text;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Validation;

namespace PSUnifiedMigration;

/// <summary>
/// Export-MigrationValidationReport: writes a validation report to a file, as JSON or as JUnit XML for CI systems.
/// Refuses to overwrite an existing file without -Force.
/// </summary>
[Cmdlet(VerbsData.Export, "MigrationValidationReport", HelpUri = ModuleLinks.CmdletHelp + "Export-MigrationValidationReport.md", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportMigrationValidationReportCommand : MigrationCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public MigrationValidationReport? Report { get; set; }

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Json (the default) or JUnit; a string for the reason given at Test-Migration -Mode.</summary>
    [Parameter]
    [ValidateSet("Json", "JUnit")]
    public string Format { get; set; } = "Json";

    /// <summary>Overwrites an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        if (File.Exists(path) && !Force)
        {
            ThrowAsTerminating(new MigrationException("ReportFileExists", MigrationErrorKind.InvalidOperation,
                $"The file {path} exists. Use -Force to overwrite it, or choose another -Path.", path));
            return;
        }

        if (!ShouldProcess(path, $"Write the validation report as {Format}"))
        {
            return;
        }

        try
        {
            File.WriteAllText(path, ValidationReportFormats.Write(Report!, Enum.Parse<ValidationReportFormat>(Format, ignoreCase: true)), new UTF8Encoding(false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowAsTerminating(new MigrationException("ReportFileNotWritten", MigrationErrorKind.InvalidOperation, $"Cannot write {path}: {e.Message}", path));
            return;
        }

        WriteObject(new FileInfo(path));
    }
}
