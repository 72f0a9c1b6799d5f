using System.Text.Json.Nodes;
using Npgsql;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Savepoints;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Targets.Neo4j;

/// <summary>
/// The Neo4j part of a savepoint: the tool's subgraph (every UnifiedNode and every relationship between two of them)
/// exported page by page, by id, into two tables of the savepoint's PostgreSQL schema. Restore removes the subgraph in
/// batches and writes the export back with the graph store's MERGE writes; other data in Neo4j is never touched.
/// </summary>
internal sealed class Neo4jSavepointPart(Neo4jEndpoint endpoint) : ISavepointPart
{
    public const string NodesItem = "nodes";
    public const string RelationshipsItem = "relationships";
    private const string NodesTable = "neo4j_nodes";
    private const string RelationshipsTable = "neo4j_relationships";
    private const int PageSize = 1000;
    private Neo4jHttpClient? _client;

    public string Store => Neo4jEndpoint.StoreKind.Name;

    public string Address => endpoint.Redacted;

    public async Task<SavepointPart> SaveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string storageSchema, CancellationToken cancellationToken)
    {
        var store = await StoreAsync(cancellationToken);
        await using (var create = new NpgsqlCommand($"""
            CREATE TABLE {Sql.Qualified(storageSchema, NodesTable)} (id text PRIMARY KEY, labels jsonb NOT NULL, properties jsonb NOT NULL);
            CREATE TABLE {Sql.Qualified(storageSchema, RelationshipsTable)} (id text PRIMARY KEY, type text NOT NULL, source_id text NOT NULL,
                target_id text NOT NULL, properties jsonb NOT NULL);
            """, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var nodes = await MeasureNodesAsync(store, async page =>
        {
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO {Sql.Qualified(storageSchema, NodesTable)} SELECT * FROM unnest($1::text[], $2::jsonb[], $3::jsonb[])", connection, transaction)
            {
                Parameters =
                {
                    new() { Value = page.Select(n => n.Id).ToArray() },
                    new() { Value = page.Select(n => new JsonArray([.. n.Labels.Select(l => JsonValue.Create(l))]).ToJsonString()).ToArray() },
                    new() { Value = page.Select(n => n.Properties.ToJsonString()).ToArray() },
                },
            };
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
        var relationships = await MeasureRelationshipsAsync(store, async page =>
        {
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO {Sql.Qualified(storageSchema, RelationshipsTable)} SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[])",
                connection, transaction)
            {
                Parameters =
                {
                    new() { Value = page.Select(r => r.Id).ToArray() }, new() { Value = page.Select(r => r.Type).ToArray() },
                    new() { Value = page.Select(r => r.SourceId).ToArray() }, new() { Value = page.Select(r => r.TargetId).ToArray() },
                    new() { Value = page.Select(r => r.Properties.ToJsonString()).ToArray() },
                },
            };
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
        return new SavepointPart(Store, Address, [nodes, relationships]);
    }

    public async Task RestoreAsync(NpgsqlConnection connection, SavepointPart part, string storageSchema, CancellationToken cancellationToken)
    {
        var store = await StoreAsync(cancellationToken);
        await store.DeleteAllAsync(cancellationToken);
        await store.EnsureSchemaAsync(cancellationToken);
        await foreach (var page in ExportAsync(connection, storageSchema, NodesTable, "labels::text, properties::text",
            row => new StoredGraphNode(row.GetString(0), JsonNode.Parse(row.GetString(1))!.AsArray().Select(l => l!.GetValue<string>()).ToList(),
                JsonNode.Parse(row.GetString(2))!.AsObject()), cancellationToken))
        {
            await store.RestoreNodesAsync(page, cancellationToken);
        }

        await foreach (var page in ExportAsync(connection, storageSchema, RelationshipsTable, "type, source_id, target_id, properties::text",
            row => new StoredGraphEdge(row.GetString(0), row.GetString(1), row.GetString(2), row.GetString(3), JsonNode.Parse(row.GetString(4))!.AsObject()),
            cancellationToken))
        {
            await store.RestoreEdgesAsync(page, cancellationToken);
        }

        SavepointParts.Verify(Store, part.Items,
            [await MeasureNodesAsync(store, _ => Task.CompletedTask, cancellationToken), await MeasureRelationshipsAsync(store, _ => Task.CompletedTask, cancellationToken)]);
    }

    /// <summary>The export lives in the savepoint's PostgreSQL schema, which removing the savepoint drops.</summary>
    public Task RemoveAsync(SavepointPart part, CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _client?.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<Neo4jGraphStore> StoreAsync(CancellationToken cancellationToken) =>
        new(_client ??= await Neo4jHttpClient.ConnectAsync(endpoint, cancellationToken));

    private static Task<SavepointItem> MeasureNodesAsync(Neo4jGraphStore store, Func<IReadOnlyList<StoredGraphNode>, Task> each, CancellationToken cancellationToken) =>
        MeasureAsync(NodesItem, after => store.ReadNodesAsync(after, PageSize, cancellationToken), node => node.Id,
            node => string.Join("\n", node.Id, ContentHash.Canonical(new JsonArray([.. node.Labels.Order(StringComparer.Ordinal).Select(l => JsonValue.Create(l))])),
                ContentHash.Canonical(node.Properties)), each);

    private static Task<SavepointItem> MeasureRelationshipsAsync(Neo4jGraphStore store, Func<IReadOnlyList<StoredGraphEdge>, Task> each, CancellationToken cancellationToken) =>
        MeasureAsync(RelationshipsItem, after => store.ReadEdgesAsync(after, PageSize, cancellationToken), edge => edge.Id,
            edge => string.Join("\n", edge.Id, edge.Type, edge.SourceId, edge.TargetId, ContentHash.Canonical(edge.Properties)), each);

    /// <summary>Reads every element in pages by id, hashing each and handing each page on.</summary>
    private static async Task<SavepointItem> MeasureAsync<T>(string item, Func<string?, Task<IReadOnlyList<T>>> read, Func<T, string> id, Func<T, string> text,
        Func<IReadOnlyList<T>, Task> each)
    {
        var hash = new ContentHash();
        string? after = null;
        IReadOnlyList<T> page;
        while ((page = await read(after)).Count > 0)
        {
            foreach (var element in page)
            {
                hash.Add(text(element));
            }

            await each(page);
            after = id(page[^1]);
        }

        return new SavepointItem(item, hash.Count, hash.ToString());
    }

    /// <summary>The export of one table in pages, by id.</summary>
    private static async IAsyncEnumerable<List<T>> ExportAsync<T>(NpgsqlConnection connection, string storageSchema, string table, string columns,
        Func<NpgsqlDataReader, T> map, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        while (true)
        {
            var page = new List<T>(PageSize);
            await using (var command = new NpgsqlCommand(
                $"SELECT id, {columns} FROM {Sql.Qualified(storageSchema, table)} WHERE $1::text IS NULL OR id > $1 ORDER BY id LIMIT $2", connection)
            {
                Parameters = { new() { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text }, new() { Value = PageSize } },
            })
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    after = reader.GetString(0);
                    page.Add(map(reader));
                }
            }

            if (page.Count == 0)
            {
                yield break;
            }

            yield return page;
        }
    }
}
