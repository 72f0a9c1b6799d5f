using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration;

/// <summary>New-MigrationSource: describes an installation to migrate from. Connects to nothing.</summary>
[Cmdlet(VerbsCommon.New, "MigrationSource", DefaultParameterSetName = ClaudeContextSet)]
[OutputType(typeof(MigrationSource))]
public sealed class NewMigrationSourceCommand : MigrationCmdletBase
{
    private const string ClaudeContextSet = "ClaudeContext";

    [Parameter(Mandatory = true, ParameterSetName = ClaudeContextSet)]
    public SwitchParameter ClaudeContext { get; set; }

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string ConnectionString { get; set; } = "";

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Stable name of the source; it keys the id map, so keep it the same across runs.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(ParameterSetName = ClaudeContextSet)]
    [ValidateNotNullOrEmpty]
    public string Schema { get; set; } = "claude_context";

    protected override void ProcessRecord()
    {
        try
        {
            var endpoint = ConnectionParameters.Endpoint(ConnectionString, Credential);
            var name = Name ?? $"claude-context@{endpoint.Host}:{endpoint.Port}/{endpoint.Database}";
            WriteObject(new MigrationSource(SourceSystem.ClaudeContext, name, endpoint, Schema));
        }
        catch (MigrationException e)
        {
            ThrowAsTerminating(e);
        }
    }
}
