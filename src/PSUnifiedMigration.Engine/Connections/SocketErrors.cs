using System.Net.Sockets;

namespace PSUnifiedMigration.Engine.Connections;

/// <summary>What a failed connection's socket said, for every store's "cannot reach" message.</summary>
internal static class SocketErrors
{
    /// <summary>The socket error somewhere in the exception's chain, if any.</summary>
    public static SocketError? Find(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }

        return null;
    }

    public static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused: nothing listens on that port",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "the host name does not resolve",
        SocketError.TimedOut => "the connection timed out",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "the network or host is unreachable",
        _ => $"socket error {error}",
    };
}
