using System.Management.Automation.Host;

namespace PSUnifiedMigration.Runbook;

/// <summary>
/// Raw user interface of the runbook host. Output is a text stream, not a screen buffer, so only what the
/// formatter needs is real: the width tables are laid out in.
/// </summary>
internal sealed class RunbookRawUserInterface : PSHostRawUserInterface
{
    // Width when stdout is not a terminal, wide enough that tables in logs are not cut at 80 columns.
    private static readonly Size RedirectedSize = new(120, 50);

    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;

    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

    public override Size BufferSize
    {
        get => WindowSize;
        set => throw NoScreenBuffer(nameof(BufferSize));
    }

    public override Size WindowSize
    {
        get
        {
            if (Console.IsOutputRedirected)
            {
                return RedirectedSize;
            }

            try
            {
                return Console.WindowWidth > 0 ? new Size(Console.WindowWidth, Console.WindowHeight) : RedirectedSize;
            }
            catch (IOException)
            {
                return RedirectedSize;
            }
        }

        set => throw NoScreenBuffer(nameof(WindowSize));
    }

    public override Size MaxWindowSize => WindowSize;

    public override Size MaxPhysicalWindowSize => WindowSize;

    // A stream has no cursor to report; asking the terminal would need a query whose answer arrives on stdin.
    public override Coordinates CursorPosition
    {
        get => new(0, 0);
        set => throw NoScreenBuffer(nameof(CursorPosition));
    }

    public override Coordinates WindowPosition
    {
        get => new(0, 0);
        set => throw NoScreenBuffer(nameof(WindowPosition));
    }

    public override int CursorSize { get; set; } = 25;

    // Kept here rather than sent to the terminal, so a script setting it leaves no escape codes in logs.
    public override string WindowTitle { get; set; } = "psum-runbook";

    public override bool KeyAvailable => false;

    public override void FlushInputBuffer()
    {
    }

    public override KeyInfo ReadKey(ReadKeyOptions options) => throw RunbookHostUserInterface.NonInteractive("read a key");

    public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw NoScreenBuffer(nameof(GetBufferContents));

    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) =>
        throw NoScreenBuffer(nameof(SetBufferContents));

    public override void SetBufferContents(Rectangle rectangle, BufferCell fill) => throw NoScreenBuffer(nameof(SetBufferContents));

    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) =>
        throw NoScreenBuffer(nameof(ScrollBufferContents));

    private static NotSupportedException NoScreenBuffer(string member) =>
        new($"The runbook host writes to a text stream and has no screen buffer ({member} is not supported).");
}
