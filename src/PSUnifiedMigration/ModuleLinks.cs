namespace PSUnifiedMigration;

/// <summary>
/// The project's web addresses, in one place: each cmdlet's HelpUri (Get-Help -Online) points to its page under
/// docs/cmdlets/, and the module manifest's ProjectUri is <see cref="Project"/> (a Pester test holds them equal).
/// </summary>
internal static class ModuleLinks
{
    /// <summary>The project's repository.</summary>
    public const string Project = "https://github.com/psunifiedmigration/PSUnifiedMigration";

    /// <summary>The folder of the per-cmdlet pages; a cmdlet's page is its name with ".md".</summary>
    public const string CmdletHelp = Project + "/blob/main/docs/cmdlets/";
}
