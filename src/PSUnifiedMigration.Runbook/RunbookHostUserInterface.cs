using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace PSUnifiedMigration.Runbook;

/// <summary>
/// Console user interface of the runbook host. Output, warnings, verbose and debug messages go to stdout
/// (as in pwsh), errors and progress to stderr. Anything that would wait for an answer throws, because
/// nobody is there to give one.
/// </summary>
/// <remarks>
/// WriteInformation keeps the base behaviour (do nothing): the engine itself writes host-targeted
/// information (Write-Host) and, with $InformationPreference = 'Continue', other information records
/// through <see cref="Write(string)"/> and <see cref="WriteLine(string)"/>.
/// </remarks>
internal sealed class RunbookHostUserInterface(ProgressRenderer progress) : PSHostUserInterface
{
    private const ConsoleColor ErrorColor = ConsoleColor.Red;
    private const ConsoleColor NoticeColor = ConsoleColor.Yellow;

    // Colour is for people at a terminal; logs get plain text.
    private static readonly bool ColourOutput = !Console.IsOutputRedirected;

    // On Unix .NET sends colour escapes to stdout, so stderr text can only be coloured when both are the terminal.
    private static readonly bool ColourErrors = !Console.IsOutputRedirected && !Console.IsErrorRedirected;

    // The formatter puts ANSI styles ($PSStyle) in its text and leaves it to the host to drop them where they
    // would not be understood: in logs, and on Windows consoles, which need virtual terminal processing
    // switched on first (this host does not do that).
    private static readonly bool AnsiOutput = !Console.IsOutputRedirected && !OperatingSystem.IsWindows();
    private static readonly bool AnsiErrors = !Console.IsErrorRedirected && !OperatingSystem.IsWindows();

    private readonly RunbookRawUserInterface _rawUI = new();

    public override PSHostRawUserInterface RawUI => _rawUI;

    public override bool SupportsVirtualTerminal => AnsiOutput;

    /// <summary>
    /// Whether any error was shown: the non-terminating errors Out-Default renders, and direct calls to
    /// WriteErrorLine. Native programs' stderr bypasses the host and does not count.
    /// </summary>
    public bool ErrorsWritten { get; private set; }

    public override void Write(string value) => Emit(toError: false, value, newLine: false);

    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) =>
        Emit(toError: false, value, newLine: false, foregroundColor, backgroundColor);

    public override void WriteLine(string value) => Emit(toError: false, value, newLine: true);

    public override void WriteErrorLine(string value)
    {
        ErrorsWritten = true;
        Emit(toError: true, value, newLine: true, ErrorColor);
    }

    public override void WriteWarningLine(string message) => Emit(toError: false, $"WARNING: {message}", newLine: true, NoticeColor);

    public override void WriteVerboseLine(string message) => Emit(toError: false, $"VERBOSE: {message}", newLine: true, NoticeColor);

    public override void WriteDebugLine(string message) => Emit(toError: false, $"DEBUG: {message}", newLine: true, NoticeColor);

    public override void WriteProgress(long sourceId, ProgressRecord record) => progress.Update(sourceId, record);

    public override string ReadLine() => throw NonInteractive("read a line of input");

    public override SecureString ReadLineAsSecureString() => throw NonInteractive("read a secure string");

    public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
        throw NonInteractive($"prompt for {string.Join(", ", descriptions.Select(d => d.Name))}{Describe(caption, message)}");

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
        throw NonInteractive($"prompt for a credential{ForUser(userName, targetName)}{Describe(caption, message)}");

    public override PSCredential PromptForCredential(
        string caption, string message, string userName, string targetName,
        PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
        PromptForCredential(caption, message, userName, targetName);

    public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) =>
        throw NonInteractive(
            $"ask to choose between {string.Join(", ", choices.Select(c => c.Label.Replace("&", string.Empty)))}{Describe(caption, message)}");

    /// <summary>The error for a request that needs someone at the keyboard.</summary>
    internal static HostException NonInteractive(string request) =>
        new(
            $"The runbook host is non-interactive and cannot {request}. "
                + "Pass values as script arguments (Name=Value) and turn confirmation off (-Confirm:$false, or Confirm=false on the command line).",
            null,
            "RunbookHostNonInteractive",
            ErrorCategory.InvalidOperation);

    private static string Describe(string caption, string message)
    {
        string text = string.Join(": ", new[] { caption, message }.Where(part => !string.IsNullOrWhiteSpace(part)));
        return text.Length == 0 ? string.Empty : $" (\"{text}\")";
    }

    private static string ForUser(string userName, string targetName) =>
        (string.IsNullOrEmpty(userName) ? string.Empty : $" for user '{userName}'")
        + (string.IsNullOrEmpty(targetName) ? string.Empty : $" on '{targetName}'");

    private void Emit(bool toError, string text, bool newLine, ConsoleColor? foreground = null, ConsoleColor? background = null)
    {
        if (text.Length == 0 && !newLine)
        {
            return;
        }

        TextWriter writer = toError ? Console.Error : Console.Out;
        text = GetOutputString(text, toError ? AnsiErrors : AnsiOutput);
        bool coloured = (toError ? ColourErrors : ColourOutput) && (foreground.HasValue || background.HasValue);
        progress.WriteAround(
            () =>
            {
                if (coloured)
                {
                    if (foreground is ConsoleColor fg)
                    {
                        Console.ForegroundColor = fg;
                    }

                    if (background is ConsoleColor bg)
                    {
                        Console.BackgroundColor = bg;
                    }
                }

                writer.Write(text);
                if (coloured)
                {
                    // Reset before the line break so the colour does not bleed into the next line.
                    Console.ResetColor();
                }

                if (newLine)
                {
                    writer.WriteLine();
                }
            },
            endsLine: newLine || text.EndsWith('\n'));
    }
}
