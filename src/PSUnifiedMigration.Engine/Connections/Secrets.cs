using System.Runtime.InteropServices;
using System.Security;

namespace PSUnifiedMigration.Engine.Connections;

/// <summary>Passwords and keys move in SecureStrings; these are the only two places they change form.</summary>
internal static class Secrets
{
    public static SecureString Protect(string value)
    {
        var secure = new SecureString();
        foreach (var c in value)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }

    /// <summary>The secret as text, for the moment of connecting; the unmanaged copy is zeroed at once.</summary>
    public static string Reveal(SecureString value)
    {
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(value);
        try
        {
            return Marshal.PtrToStringUni(pointer) ?? "";
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }
}
