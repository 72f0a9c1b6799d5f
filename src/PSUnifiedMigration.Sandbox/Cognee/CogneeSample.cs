using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace PSUnifiedMigration.Sandbox.Cognee;

/// <summary>
/// Creates a realistic sample Cognee installation, as Cognee v1.4.2 (<see cref="RelationalLayout.DatasetData"/>) or
/// v1.5.2 (<see cref="RelationalLayout.DataDatasetId"/>) would have left it after <c>add</c> and <c>cognify</c>:
/// the SQLite relational database (users, tenants, roles, permissions and ACLs, datasets, data rows, the graph ledger,
/// <c>dataset_data</c> or split rows with <c>legacy_id</c>), the ingested files, pgvector collections, and the graph
/// as a networkx node-link file or as ledger rows. Each store is written in one transaction (the graph file is moved
/// into place at the end), streaming where the sample grows with its size.
/// </summary>
public static partial class CogneeSample
{
    public static async Task<CogneeSampleSummary> CreateAsync(CogneeSampleOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);

        var systemRoot = Path.GetFullPath(options.SystemRoot);
        var databases = Path.Combine(systemRoot, "databases");
        var databasePath = Path.Combine(databases, "cognee_db");
        var graphPath = options.GraphLayout == GraphLayout.NetworkxFile ? Path.Combine(databases, "cognee_graph.pkl") : null;
        // Cognee keeps .data_storage beside .cognee_system.
        var dataRoot = Path.GetFullPath(options.DataRoot
            ?? Path.Combine(Path.GetDirectoryName(systemRoot.TrimEnd(Path.DirectorySeparatorChar))!, ".data_storage"));
        foreach (var path in new[] { databasePath, databasePath + "-wal", graphPath })
        {
            if (path is not null && File.Exists(path))
            {
                throw new InvalidOperationException($"{path} already exists; the sample generator only creates fresh installations.");
            }
        }

        Directory.CreateDirectory(databases);
        var model = CogneeSampleModel.Build(options);
        var run = new SampleRun(model, new CogneeGraphBuilder(model, dataRoot), options, ct);
        var graphTemp = graphPath is null ? null : graphPath + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await using (var relational = await CogneeRelationalStore.CreateAsync(databasePath, options.RelationalConnectionString, options.RelationalLayout, ct))
            {
                await using var vectors = options.VectorConnectionString is null
                    ? null
                    : await CogneeVectorStore.OpenAsync(options.VectorConnectionString, options.Dimensions, ct);
                run.Relational = relational;
                run.Vectors = vectors;
                if (vectors is not null)
                {
                    var schemas = run.VectorSchemas(vectors).ToList();
                    await vectors.EnsureFreshAsync(schemas.SelectMany(s => CogneeVectorStore.Collections.Select(c => (s, c))));
                    await vectors.BeginRowsAsync(options.UseInsertInsteadOfCopy);
                }

                await run.WriteAccessControlAsync();
                await run.WriteDocumentsAsync();
                if (vectors is not null)
                {
                    await run.WriteEntityVectorsAsync();
                    await vectors.CommitAsync();
                }

                if (graphTemp is not null)
                {
                    await using var file = new StreamWriter(graphTemp, append: false, new UTF8Encoding(false), 1 << 16);
                    // Cognee's adapter saves node_link_data(G, edges="links"), whatever the networkx version's default.
                    await run.Graph!.WriteNodeLinkAsync(file, "links", ct);
                }

                if (options.GraphLayout == GraphLayout.PostgresTables)
                {
                    await run.WriteGraphTablesAsync();
                }

                await relational.CommitAsync(ct);
            }

            if (graphTemp is not null)
            {
                File.Move(graphTemp, graphPath!);
            }
        }
        catch
        {
            foreach (var path in run.CreatedFiles.Append(graphTemp).Concat([databasePath, databasePath + "-wal", databasePath + "-shm"]))
            {
                if (path is not null && File.Exists(path))
                {
                    File.Delete(path);
                }
            }

            throw;
        }

        return run.Summary(systemRoot, options.RelationalConnectionString is null ? databasePath : null, graphPath, dataRoot);
    }

    private static void Validate(CogneeSampleOptions o)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(o.SystemRoot, nameof(o.SystemRoot));
        static void Range(int value, int min, int max, string name)
        {
            if (value < min || value > max)
            {
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}.");
            }
        }

        Range(o.Users, 1, 1000, nameof(o.Users));
        Range(o.DatasetsPerUser, 0, 1000, nameof(o.DatasetsPerUser));
        Range(o.DocumentsPerDataset, 0, 100_000, nameof(o.DocumentsPerDataset));
        Range(o.ChunksPerDocument, 1, 100_000, nameof(o.ChunksPerDocument));
        Range(o.EntitiesPerChunk, 0, 1000, nameof(o.EntitiesPerChunk));
        Range(o.Dimensions, 1, 16000, nameof(o.Dimensions));
        if (!Enum.IsDefined(o.RelationalLayout) || !Enum.IsDefined(o.GraphLayout))
        {
            throw new ArgumentOutOfRangeException(nameof(o.RelationalLayout), "Unknown relational or graph layout.");
        }

        if ((long)o.Users * o.DatasetsPerUser * o.DocumentsPerDataset * o.ChunksPerDocument > 50_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(o.ChunksPerDocument), "Too many chunks for a sample installation.");
        }

        if (o.IncludeCognitiveLayers && o.GraphLayout != GraphLayout.NetworkxFile)
        {
            throw new ArgumentException(
                "Cognitive layers (ids COGNITIVE_LAYER__<NAME>) exist only in early NetworkX graphs; the ledger's node ids are UUIDs. " +
                "Use GraphLayout.NetworkxFile.", nameof(o.IncludeCognitiveLayers));
        }

        if (o.GraphLayout == GraphLayout.PostgresTables && o.RelationalConnectionString is null)
        {
            throw new ArgumentException("GraphLayout.PostgresTables writes graph_node/graph_edge into the relational PostgreSQL database: give RelationalConnectionString.",
                nameof(o.GraphLayout));
        }

        if (o.VectorSchemaPerDataset && (o.RelationalLayout != RelationalLayout.DataDatasetId || o.GraphLayout != GraphLayout.LedgerTables
            || o.VectorConnectionString is null))
        {
            throw new ArgumentException(
                "VectorSchemaPerDataset models v1.5's pgvector_shared handler (backend access control, one schema per dataset): it needs " +
                "RelationalLayout.DataDatasetId, GraphLayout.LedgerTables and a VectorConnectionString.", nameof(o.VectorSchemaPerDataset));
        }
    }

    /// <summary><c>generate_cognitive_layer_id</c> of Cognee v0.1.3–v0.1.5.</summary>
    internal static string CognitiveLayerId(string name) =>
        LayerIdCharacters().Replace($"COGNITIVE_LAYER__{name.ToUpperInvariant().Replace(' ', '_')}".Replace("'", "").Replace("/", "_"), "");

    [GeneratedRegex("[^a-zA-Z0-9_]")]
    private static partial Regex LayerIdCharacters();

    /// <summary>The state of one generation: the stores, the graph, and what has been written.</summary>
    private sealed class SampleRun(CogneeSampleModel model, CogneeGraphBuilder builder, CogneeSampleOptions options, CancellationToken ct)
    {
        private readonly bool _v15 = model.IsV15;
        private readonly HashSet<Guid> _ledgerEdges = [];
        private readonly Dictionary<string, HashSet<Guid>> _dataPoints = new(StringComparer.Ordinal);
        private readonly HashSet<Guid> _edgeTypes = [];
        private readonly HashSet<string> _layers = new(StringComparer.Ordinal);
        private readonly HashSet<string> _rawFiles = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Schema, Guid Id), (PyDict Payload, float[] Vector, List<string> Sets)> _entityRows = [];
        private readonly float[] _vector = new float[options.Dimensions];
        private readonly Dictionary<string, float[]> _centroids = new(StringComparer.Ordinal);

        public CogneeRelationalStore Relational { get; set; } = null!;
        public CogneeVectorStore? Vectors { get; set; }
        public NetworkxGraph? Graph { get; } = options.GraphLayout is GraphLayout.NetworkxFile or GraphLayout.PostgresTables ? new NetworkxGraph() : null;
        public List<string> CreatedFiles { get; } = [];

        public IEnumerable<string> VectorSchemas(CogneeVectorStore vectors) =>
            options.VectorSchemaPerDataset ? model.Datasets.Select(SchemaOf) : [vectors.DefaultSchema];

        /// <summary><c>dataset_schema_name</c>: "ds_" + the dataset id's 32 hex digits.</summary>
        private static string SchemaOf(DatasetSpec dataset) => "ds_" + dataset.Id.ToString("N");

        public async Task WriteAccessControlAsync()
        {
            var db = Relational;
            foreach (var user in model.Users)
            {
                await db.InsertAsync("principals", ct, ("id", user.Id), ("created_at", user.CreatedAt), ("updated_at", null), ("type", "user"));
            }

            if (model.Tenant is { } tenant)
            {
                await db.InsertAsync("principals", ct, ("id", tenant.Id), ("created_at", tenant.CreatedAt), ("updated_at", null), ("type", "tenant"));
                await db.InsertAsync("tenants", ct, ("id", tenant.Id), ("name", tenant.Name), ("owner_id", tenant.Owner.Id));
            }

            foreach (var role in model.Roles)
            {
                await db.InsertAsync("principals", ct, ("id", role.Id), ("created_at", role.CreatedAt), ("updated_at", null), ("type", "role"));
                await db.InsertAsync("roles", ct, ("id", role.Id), ("name", role.Name), ("tenant_id", role.Tenant.Id));
            }

            foreach (var user in model.Users)
            {
                await db.InsertAsync("users", ct, ("id", user.Id), ("tenant_id", user.Tenant?.Id), ("parent_user_id", null), ("email", user.Email),
                    ("hashed_password", user.HashedPassword), ("is_active", true), ("is_superuser", user.IsSuperuser), ("is_verified", true));
            }

            foreach (var (user, role, created) in model.UserRoles)
            {
                await db.InsertAsync("user_roles", ct, ("created_at", created), ("user_id", user.Id), ("role_id", role.Id));
            }

            foreach (var (user, membership, created) in model.UserTenants)
            {
                await db.InsertAsync("user_tenants", ct, ("created_at", created), ("user_id", user.Id), ("tenant_id", membership.Id));
            }

            foreach (var permission in model.Permissions)
            {
                await db.InsertAsync("permissions", ct, ("id", permission.Id), ("created_at", permission.CreatedAt), ("updated_at", null),
                    ("name", permission.Name));
            }

            foreach (var dataset in model.Datasets)
            {
                await db.InsertAsync("datasets", ct, ("id", dataset.Id), ("name", dataset.Name), ("created_at", dataset.CreatedAt), ("updated_at", null),
                    ("owner_id", dataset.Owner.Id), ("tenant_id", dataset.Owner.Tenant?.Id));
            }

            foreach (var acl in model.Acls)
            {
                await db.InsertAsync("acls", ct, ("id", acl.Id), ("created_at", acl.CreatedAt), ("updated_at", null), ("principal_id", acl.Principal.Id),
                    ("permission_id", acl.Permission.Id), ("dataset_id", acl.Dataset.Id));
            }

            if (options.VectorSchemaPerDataset)
            {
                foreach (var dataset in model.Datasets)
                {
                    await WriteDatasetDatabaseAsync(dataset);
                }
            }

            await db.InsertAsync("alembic_version", ct, ("version_num", model.AlembicRevision));
        }

        /// <summary>
        /// The dataset's database pair under backend access control: pgvector_shared (a schema in the shared database)
        /// and the default Ladybug graph file <c>&lt;dataset id&gt;.lbug</c>, which the sample cannot write.
        /// </summary>
        private async Task WriteDatasetDatabaseAsync(DatasetSpec dataset)
        {
            var vectors = Vectors!;
            // The relational config keeps the port as a string, and the handler copies it as it is.
            var port = vectors.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var vectorInfo = new PyDict { { "host", vectors.Host }, { "port", port }, { "schema", SchemaOf(dataset) } };
            await Relational.InsertAsync("dataset_database", ct,
                ("owner_id", dataset.Owner.Id), ("dataset_id", dataset.Id),
                ("vector_database_name", vectors.DatabaseName), ("graph_database_name", $"{dataset.Id:D}.lbug"),
                ("vector_database_provider", "pgvector"), ("graph_database_provider", "ladybug"),
                ("graph_dataset_database_handler", "ladybug"), ("vector_dataset_database_handler", "pgvector_shared"),
                ("vector_database_url", ""), ("graph_database_url", ""), ("vector_database_key", null), ("graph_database_key", ""),
                ("cognee_version", model.Version), ("migration_revision", null), ("migration_last_error", null),
                ("graph_database_connection_info", CogneeRelationalStore.AsJson(new PyDict())),
                ("vector_database_connection_info", CogneeRelationalStore.AsJson(vectorInfo)),
                ("created_at", dataset.CreatedAt), ("updated_at", null));
        }

        /// <summary>Document by document: the stored file, its data row(s), then its cognify output in every store.</summary>
        public async Task WriteDocumentsAsync()
        {
            foreach (var membership in model.Memberships)
            {
                ct.ThrowIfCancellationRequested();
                var batch = builder.Build(membership);
                await WriteRawFileAsync(membership.Content, batch.Content);
                if (membership.OwnsDataRow)
                {
                    await WriteDataRowAsync(membership, batch.Content);
                }

                if (!_v15)
                {
                    await Relational.InsertAsync("dataset_data", ct, ("created_at", membership.AddedAt), ("dataset_id", membership.Dataset.Id),
                        ("data_id", membership.DataRowId));
                }

                foreach (var node in batch.Nodes)
                {
                    if (!_dataPoints.TryGetValue(node.Type, out var ids))
                    {
                        _dataPoints[node.Type] = ids = [];
                    }

                    ids.Add(node.Id);
                }

                foreach (var edge in batch.Edges)
                {
                    _edgeTypes.Add(CogneeIds.IdFor("EdgeType", edge.RetrievalText));
                }

                if (options.GraphLayout == GraphLayout.LedgerTables)
                {
                    await WriteLedgerAsync(batch);
                }
                else
                {
                    AddToGraph(batch);
                }

                if (Vectors is not null)
                {
                    await WriteVectorsAsync(batch);
                }
            }
        }

        private async Task WriteRawFileAsync(ContentSpec content, DocumentContent text)
        {
            var path = builder.RawFilePath(content, text);
            if (!_rawFiles.Add(path))
            {
                return;
            }

            if (!File.Exists(path))
            {
                CreatedFiles.Add(path);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, text.Text, new UTF8Encoding(false), ct);
        }

        /// <summary>
        /// A <c>data</c> row as ingestion writes it and cognify updates it (token count, pipeline status). A v1.5 split
        /// copy repeats every column of the row it was split from except id, dataset_id and legacy_id.
        /// </summary>
        private async Task WriteDataRowAsync(MembershipSpec membership, DocumentContent text)
        {
            var content = membership.Content;
            var owner = content.Owner;
            var first = content.Members[0];
            var rawLocation = builder.RawDataLocation(content, text);
            var original = content.FileName is null ? rawLocation : $"/home/{owner.Email.Split('@')[0]}/documents/{text.Name}.{content.Extension}";
            var datasetStatus = new PyDict();
            foreach (var m in content.Members)
            {
                datasetStatus[m.Dataset.Id.ToString("D")] = "DATA_ITEM_PROCESSING_COMPLETED";
            }

            var external = content.NodeSet is null ? new PyDict() : new PyDict { { "node_set", content.NodeSet } };
            var values = new List<(string, object?)>
            {
                ("id", membership.DataRowId), ("label", null), ("name", text.Name), ("extension", content.Extension),
                ("mime_type", content.MimeType), ("original_extension", content.Extension), ("original_mime_type", content.MimeType),
                ("loader_engine", "text_loader"), ("raw_data_location", rawLocation), ("original_data_location", original),
                ("owner_id", owner.Id), ("tenant_id", owner.Tenant?.Id),
            };
            if (_v15)
            {
                values.Add(("dataset_id", membership.Dataset.Id));
                values.Add(("legacy_id", membership.LegacyId));
            }

            values.Add(("content_hash", text.ContentHash));
            values.Add(("raw_content_hash", text.ContentHash));
            values.Add(("external_metadata", CogneeRelationalStore.AsJson(external)));
            if (_v15)
            {
                values.Add(("system_metadata", CogneeRelationalStore.AsJson(null)));
            }

            // Ingestion stores json.dumps(node_set) in a JSON column: the list arrives encoded twice.
            values.Add(("node_set", CogneeRelationalStore.AsJson(content.NodeSet is null ? null : PyJson.Dumps(content.NodeSet))));
            values.Add(("pipeline_status", CogneeRelationalStore.AsJson(new PyDict
            {
                { "add_pipeline", datasetStatus }, { "cognify_pipeline", datasetStatus },
            })));
            values.Add(("token_count", text.Chunks.Sum(c => c.Words)));
            values.Add(("data_size", text.Bytes));
            values.Add(("created_at", first.AddedAt));
            values.Add(("updated_at", CogneeTime.Micro(content.Members[^1].CognifiedAt.AddSeconds(8))));
            values.Add(("last_accessed", null));
            values.Add(("importance_weight", null));
            await Relational.InsertAsync("data", ct, values.ToArray());
        }

        /// <summary>
        /// The graph ledger rows of one add_data_points call. Node ids are uuid5(tenant, user, dataset, data id, node id),
        /// so a node gets one row per document that reaches it; edge ids leave the data id out, so an edge already
        /// recorded for the dataset is not recorded again. The v1.5 split repointed nodes' data_id to the copies, not edges'.
        /// </summary>
        private async Task WriteLedgerAsync(CognifyBatch batch)
        {
            var membership = batch.Membership;
            var dataset = membership.Dataset;
            var owner = dataset.Owner;
            var scope = CogneeIds.PyStr(owner.Tenant?.Id) + owner.Id.ToString("D") + dataset.Id.ToString("D");
            var originalDataId = membership.Content.DocumentId;
            foreach (var node in batch.Nodes)
            {
                await Relational.InsertAsync("nodes", ct,
                    ("id", CogneeIds.Uuid5(scope + originalDataId.ToString("D") + node.Id.ToString("D"))), ("slug", node.Id),
                    ("user_id", owner.Id), ("data_id", membership.DataRowId), ("dataset_id", dataset.Id), ("pipeline_run_id", null),
                    ("label", node.Label), ("type", node.Type), ("indexed_fields", CogneeRelationalStore.AsJson(node.IndexFields)),
                    ("attributes", CogneeRelationalStore.AsJson(node.Dump(_v15))), ("created_at", CogneeTime.Micro(batch.StoredAt)));
            }

            foreach (var edge in batch.Edges)
            {
                // A contains edge is recorded under its edge text; its label stays "contains".
                var text = edge.RelationshipName == "contains" && edge.Properties.ContainsKey("edge_text")
                    ? (string)edge.Properties["edge_text"]!
                    : edge.RelationshipName;
                var id = CogneeIds.Uuid5(scope + edge.Source.ToString("D") + text + edge.Target.ToString("D"));
                if (!_ledgerEdges.Add(id))
                {
                    continue;
                }

                await Relational.InsertAsync("edges", ct,
                    ("id", id), ("slug", CogneeIds.NodeId(text)), ("user_id", owner.Id), ("data_id", originalDataId), ("dataset_id", dataset.Id),
                    ("pipeline_run_id", null), ("source_node_id", edge.Source), ("destination_node_id", edge.Target), ("relationship_name", text),
                    ("label", edge.RelationshipName == "contains" ? "contains" : text),
                    ("attributes", CogneeRelationalStore.AsJson(edge.Properties)), ("created_at", CogneeTime.Micro(batch.StoredAt)));
            }
        }

        /// <summary>The NetworkX adapter: add_nodes (model dumps), add_edges (key = relationship name, updated_at = now as a datetime).</summary>
        private void AddToGraph(CognifyBatch batch)
        {
            var graph = Graph!;
            foreach (var node in batch.Nodes)
            {
                var attributes = node.Dump(_v15);
                attributes["id"] = node.Id.ToString("D");
                graph.AddNode(node.Id.ToString("D"), attributes);
            }

            var now = CogneeTime.Iso(CogneeTime.Micro(batch.StoredAt.AddMilliseconds(350)));
            foreach (var edge in batch.Edges)
            {
                var properties = edge.Properties.Copy();
                properties["updated_at"] = now;
                graph.AddEdge(edge.Source.ToString("D"), edge.Target.ToString("D"), edge.RelationshipName, properties);
            }

            if (options.IncludeCognitiveLayers)
            {
                AddCognitiveLayers(batch);
            }
        }

        /// <summary>
        /// Early Cognee's cognitive layers: nodes {id, name, description} with ids COGNITIVE_LAYER__&lt;NAME&gt;, shared by
        /// name, and decomposed_as edges from the document carrying only their relationship name (as v0.1.5 wrote them).
        /// </summary>
        private void AddCognitiveLayers(CognifyBatch batch)
        {
            var r = new Random(batch.Membership.Content.Seed ^ 0x5f3759df);
            var names = CogneeSampleModel.Shuffled(r, CogneeWords.CognitiveLayers).Take(r.Next(2, 4));
            foreach (var name in names)
            {
                var id = CognitiveLayerId(name);
                _layers.Add(id);
                Graph!.AddNode(id, new PyDict
                {
                    { "id", id }, { "name", name },
                    { "description", $"{name} of {batch.Content.Name}: how its {batch.Membership.Dataset.Topic} content decomposes." },
                });
                Graph.AddEdge(batch.Membership.Content.DocumentId.ToString("D"), id, "decomposed_as",
                    new PyDict { { "relationship_name", "decomposed_as" } });
            }
        }

        /// <summary>
        /// index_data_points and index_graph_edges: an IndexSchema row per node and indexed field, and an EdgeType row per
        /// distinct edge text (counted within the call). Existing ids keep their first payload; entity rows are held back
        /// because Cognee merges their <c>belongs_to_set</c> on every upsert.
        /// </summary>
        private async Task WriteVectorsAsync(CognifyBatch batch)
        {
            var vectors = Vectors!;
            var schema = options.VectorSchemaPerDataset ? SchemaOf(batch.Membership.Dataset) : vectors.DefaultSchema;
            var indexedAt = CogneeTime.Micro(batch.StoredAt.AddMilliseconds(600));
            var topic = Centroid(batch.Membership.Content.FirstDataset.Topic);
            foreach (var node in batch.Nodes)
            {
                foreach (var field in node.IndexFields)
                {
                    var text = node.IndexText(field);
                    if (node.Type == "Entity")
                    {
                        var key = (schema, node.Id);
                        if (_entityRows.TryGetValue(key, out var row))
                        {
                            row.Sets.AddRange((node.BelongsToSet ?? []).Where(s => !row.Sets.Contains(s)));
                        }
                        else
                        {
                            _entityRows[key] = (node.IndexPayload(field, _v15, indexedAt), Embed(text, null).ToArray(), [.. node.BelongsToSet ?? []]);
                        }

                        continue;
                    }

                    var centroid = node.Type is "DocumentChunk" or "TextSummary" or "TextDocument" ? topic : null;
                    await vectors.AddAsync(schema, $"{node.Type}_{field}", node.Id, node.IndexPayload(field, _v15, indexedAt), Embed(text, centroid));
                }
            }

            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var edge in batch.Edges)
            {
                counts[edge.RetrievalText] = counts.GetValueOrDefault(edge.RetrievalText) + 1;
            }

            foreach (var (text, _) in counts)
            {
                var id = CogneeIds.IdFor("EdgeType", text);
                await vectors.AddAsync(schema, "EdgeType_relationship_name", id,
                    DataPointNode.IndexSchema(id, text, _v15, indexedAt, []), Embed(text, null));
            }
        }

        public async Task WriteEntityVectorsAsync()
        {
            foreach (var ((schema, id), (payload, vector, sets)) in _entityRows)
            {
                payload["belongs_to_set"] = sets;
                await Vectors!.AddAsync(schema, "Entity_name", id, payload, vector);
            }
        }

        /// <summary>
        /// A stand-in embedding: unit-length Gaussian noise seeded by the text (same text, same vector), pulled towards
        /// the dataset topic's direction for document text so that neighbours are topical.
        /// </summary>
        private float[] Embed(string text, float[]? centroid)
        {
            var seed = BitConverter.ToInt32(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{options.Seed}\n{text}")));
            SampleVectors.FillGaussian(new Random(seed), _vector);
            var scale = centroid is null ? 1.0 : 0.8 / Math.Sqrt(_vector.Length);
            var norm = 0.0;
            for (var i = 0; i < _vector.Length; i++)
            {
                var value = (centroid?[i] ?? 0) + scale * _vector[i];
                _vector[i] = (float)value;
                norm += value * value;
            }

            var inverse = norm > 0 ? 1 / Math.Sqrt(norm) : 0;
            for (var i = 0; i < _vector.Length; i++)
            {
                _vector[i] = (float)(_vector[i] * inverse);
            }

            return _vector;
        }

        private float[] Centroid(string topic)
        {
            if (!_centroids.TryGetValue(topic, out var centroid))
            {
                _centroids[topic] = centroid = Embed("topic: " + topic, null).ToArray();
            }

            return centroid;
        }

        private int DataPoints(string type) => _dataPoints.GetValueOrDefault(type)?.Count ?? 0;

        /// <summary>
        /// The graph as Cognee's PostgreSQL adapter stores it: a graph_node row per node (id, name, type, the other
        /// attributes as properties) and a graph_edge row per edge, keyed by its ends and relationship name.
        /// </summary>
        public async Task WriteGraphTablesAsync()
        {
            await Relational.ExecuteAsync("""
                CREATE TABLE graph_node (id VARCHAR NOT NULL, name VARCHAR, type VARCHAR, properties JSONB,
                    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(), PRIMARY KEY (id))
                """, ct);
            await Relational.ExecuteAsync("""
                CREATE TABLE graph_edge (source_id VARCHAR NOT NULL REFERENCES graph_node (id) ON DELETE CASCADE,
                    target_id VARCHAR NOT NULL REFERENCES graph_node (id) ON DELETE CASCADE, relationship_name VARCHAR NOT NULL, properties JSONB,
                    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), updated_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
                    PRIMARY KEY (source_id, target_id, relationship_name))
                """, ct);
            // The adapter stamps rows when it writes them: here, when the first user was created, so samples repeat.
            var stamp = model.Users[0].CreatedAt;
            foreach (var (id, attributes) in Graph!.Nodes)
            {
                var properties = new PyDict();
                foreach (var (key, value) in attributes.Where(a => a.Key is not ("name" or "type")))
                {
                    properties[key] = value;
                }

                await Relational.InsertAsync("graph_node", ct, ("id", id), ("name", attributes.ContainsKey("name") ? attributes["name"] as string : null),
                    ("type", attributes.ContainsKey("type") ? attributes["type"] as string : null), ("properties", CogneeRelationalStore.AsJson(properties)),
                    ("created_at", stamp), ("updated_at", stamp));
            }

            foreach (var (source, target, key, attributes) in Graph.Edges)
            {
                await Relational.InsertAsync("graph_edge", ct, ("source_id", source), ("target_id", target), ("relationship_name", key),
                    ("properties", CogneeRelationalStore.AsJson(attributes)), ("created_at", stamp), ("updated_at", stamp));
            }
        }

        public CogneeSampleSummary Summary(string systemRoot, string? databasePath, string? graphPath, string dataRoot)
        {
            string? redacted = null;
            if (options.VectorConnectionString is { } connectionString)
            {
                redacted = new NpgsqlConnectionStringBuilder(connectionString) { Password = null }.ConnectionString;
            }

            var db = Relational;
            return new CogneeSampleSummary
            {
                RelationalLayout = options.RelationalLayout,
                GraphLayout = options.GraphLayout,
                ModelledCogneeVersion = model.Version,
                SystemRoot = systemRoot,
                RelationalDatabasePath = databasePath,
                GraphFilePath = graphPath,
                DataRoot = dataRoot,
                VectorConnectionString = redacted,
                VectorSchemas = Vectors?.Schemas.ToList() ?? [],
                Dimensions = options.Dimensions,
                Principals = db.Rows("principals"),
                Users = db.Rows("users"),
                Tenants = db.Rows("tenants"),
                Roles = db.Rows("roles"),
                UserRoles = db.Rows("user_roles"),
                UserTenants = db.Rows("user_tenants"),
                Permissions = db.Rows("permissions"),
                Acls = db.Rows("acls"),
                Datasets = db.Rows("datasets"),
                DataRows = db.Rows("data"),
                LegacyDataRows = model.Memberships.Count(m => m.LegacyId is not null),
                DatasetDataLinks = db.Rows("dataset_data"),
                DatasetDatabases = db.Rows("dataset_database"),
                LedgerNodes = db.Rows("nodes"),
                LedgerEdges = db.Rows("edges"),
                Documents = DataPoints("TextDocument"),
                Chunks = DataPoints("DocumentChunk"),
                Summaries = DataPoints("TextSummary"),
                Entities = DataPoints("Entity"),
                EntityTypes = DataPoints("EntityType"),
                NodeSets = DataPoints("NodeSet"),
                EdgeTypes = _edgeTypes.Count,
                VectorRows = Vectors?.RowsByCollection ?? new Dictionary<string, int>(),
                GraphNodes = Graph?.NodeCount ?? 0,
                GraphEdges = Graph?.EdgeCount ?? 0,
                CognitiveLayers = _layers.Count,
                RawFiles = _rawFiles.Count,
            };
        }
    }
}
