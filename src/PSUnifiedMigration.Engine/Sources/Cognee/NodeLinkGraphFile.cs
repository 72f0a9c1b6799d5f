using PSUnifiedMigration.Engine.Records;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// Streams the nodes or the links of a networkx node-link JSON file (Cognee's cognee_graph.pkl, which is
/// JSON despite its name) one element at a time. Memory holds one element and a read buffer, never the
/// graph: each array is found by scanning the top-level object, and each element is parsed on its own.
/// </summary>
public static class NodeLinkGraphFile
{
    /// <summary>Older networkx writes edges under "links", newer versions can write "edges".</summary>
    public static readonly IReadOnlyList<string> EdgeArrayNames = ["links", "edges"];

    private const int InitialBuffer = 64 * 1024;

    /// <summary>
    /// The elements of the first top-level array named in <paramref name="arrayNames"/>, in file order;
    /// nothing when the file has none of them. A file that is not valid JSON throws GraphFileMalformed.
    /// </summary>
    public static async IAsyncEnumerable<JsonObject> ReadArrayAsync(string path, IReadOnlyList<string> arrayNames,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        try
        {
            var scanner = new Scanner(path, arrayNames);
            var length = 0;
            var final = false;
            while (!scanner.Finished)
            {
                if (!final)
                {
                    if (length == buffer.Length)
                    {
                        // One element is larger than the buffer: grow it to hold the element whole.
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
                    final = read == 0;
                    length += read;
                }

                var consumed = scanner.Scan(buffer.AsSpan(0, length), final, out var elements);
                foreach (var element in elements)
                {
                    yield return element;
                }

                buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
                length -= consumed;
                if (final && !scanner.Finished)
                {
                    throw Malformed(path, scanner.Position, "the file ends before its top-level object does");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static MigrationException Malformed(string path, long position, string reason, Exception? inner = null) =>
        new("GraphFileMalformed", MigrationErrorKind.InvalidData,
            $"The graph file '{path}' is not valid networkx node-link JSON at byte {position}: {reason}. " +
            "Re-export the graph from Cognee (or restore the file from a backup), then plan again.", path, inner);

    /// <summary>
    /// Walks the top-level object across buffer refills. Work is done in units (the opening brace, one
    /// top-level property, one array element); a unit that does not fit the buffer yet is rolled back to
    /// the last checkpoint and retried with more data, so the reader's state always matches what was consumed.
    /// </summary>
    private sealed class Scanner(string path, IReadOnlyList<string> arrayNames)
    {
        private JsonReaderState _state;
        private bool _started;
        private bool _inWantedArray;
        private bool _wantedFound;

        public bool Finished { get; private set; }

        /// <summary>Bytes of the file consumed so far.</summary>
        public long Position { get; private set; }

        public int Scan(ReadOnlySpan<byte> data, bool final, out List<JsonObject> elements)
        {
            elements = [];
            var reader = new Utf8JsonReader(data, final, _state);
            var checkpoint = _state;
            var consumed = 0;
            try
            {
                while (!Finished)
                {
                    checkpoint = reader.CurrentState;
                    consumed = (int)reader.BytesConsumed;
                    if (!reader.Read())
                    {
                        break;
                    }

                    if (!_started)
                    {
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            throw Malformed(path, Position, "the file does not hold a JSON object");
                        }

                        _started = true;
                    }
                    else if (_inWantedArray)
                    {
                        if (reader.TokenType == JsonTokenType.EndArray)
                        {
                            _inWantedArray = false;
                            continue;
                        }

                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            throw Malformed(path, Position + reader.TokenStartIndex, "an element of the node or link array is not a JSON object");
                        }

                        var start = (int)reader.TokenStartIndex;
                        if (!reader.TrySkip())
                        {
                            break;
                        }

                        elements.Add(JsonNode.Parse(data[start..(int)reader.BytesConsumed])!.AsObject());
                    }
                    else if (reader.TokenType == JsonTokenType.EndObject)
                    {
                        Finished = true;
                    }
                    else
                    {
                        var name = reader.GetString()!;
                        if (!reader.Read())
                        {
                            break;
                        }

                        if (!_wantedFound && reader.TokenType == JsonTokenType.StartArray && arrayNames.Contains(name))
                        {
                            _wantedFound = _inWantedArray = true;
                        }
                        else if (!reader.TrySkip())
                        {
                            break;
                        }
                    }

                    checkpoint = reader.CurrentState;
                    consumed = (int)reader.BytesConsumed;
                }
            }
            catch (JsonException e)
            {
                throw Malformed(path, Position + consumed, e.Message, e);
            }

            _state = checkpoint;
            Position += consumed;
            return consumed;
        }
    }
}
