namespace PSUnifiedMigration.Sandbox.Cognee;

/// <summary>
/// A graph node as <c>get_graph_from_model</c> leaves it: the data point's own fields, with the fields that hold
/// other data points taken out (they become edges) and <c>belongs_to_set</c> reduced to node set names.
/// </summary>
internal sealed class DataPointNode
{
    public required Guid Id { get; init; }
    public required string Type { get; init; }

    /// <summary>The class's <c>metadata</c> default: <c>index_fields</c> and, for identity-bearing classes, <c>identity_fields</c>.</summary>
    public required string[] IndexFields { get; init; }

    public string[]? IdentityFields { get; init; }
    public required DateTime CreatedAt { get; init; }
    public required int TopologicalRank { get; init; }
    public required string SourceTask { get; init; }
    public required string SourceUser { get; init; }
    public required string SourceContentHash { get; init; }
    public string? SourceNodeSet { get; init; }
    public List<string>? BelongsToSet { get; init; }

    /// <summary>The subclass's fields after the DataPoint ones, in declaration order.</summary>
    public required PyDict Fields { get; init; }

    // The reference scalars PGVectorAdapter copies into its index rows (IndexSchema).
    public string? DocumentId { get; init; }
    public string? DocumentName { get; init; }
    public int? ChunkIndex { get; init; }
    public string? SourceChunkId { get; init; }

    /// <summary>The ledger's <c>label</c>: <c>getattr(node, "label", getattr(node, "name", str(node.id)))</c>.</summary>
    public string Label => Fields.ContainsKey("name") ? (string)Fields["name"]! : Id.ToString("D");

    /// <summary>The value embedded for an index field (<c>get_embeddable_data</c> strips it).</summary>
    public string IndexText(string field) => ((string)Fields[field]!).Trim();

    /// <summary>The node's properties (pydantic <c>model_dump</c>, JSON mode) in field order; <paramref name="v15"/> adds <c>valid_to</c>.</summary>
    public PyDict Dump(bool v15)
    {
        var ms = CogneeTime.EpochMs(CreatedAt);
        var dump = new PyDict
        {
            { "id", Id },
            { "created_at", ms },
            { "updated_at", ms },
            { "ontology_valid", false },
            { "ontology_uri", null },
            { "version", 1 },
            { "topological_rank", TopologicalRank },
        };
        if (v15)
        {
            dump["valid_to"] = null;
        }

        dump["metadata"] = Metadata(IndexFields, IdentityFields);
        dump["type"] = Type;
        dump["belongs_to_set"] = BelongsToSet;
        dump["source_pipeline"] = "cognify_pipeline";
        dump["source_task"] = SourceTask;
        dump["source_node_set"] = SourceNodeSet;
        dump["source_user"] = SourceUser;
        dump["source_content_hash"] = SourceContentHash;
        dump["feedback_weight"] = 0.5;
        dump["importance_weight"] = 0.5;
        dump.Update(Fields);
        return dump;
    }

    public static PyDict Metadata(string[] indexFields, string[]? identityFields)
    {
        var metadata = new PyDict { { "index_fields", indexFields } };
        if (identityFields is not null)
        {
            metadata["identity_fields"] = identityFields;
        }

        return metadata;
    }

    /// <summary>
    /// The payload of the node's row in <c>{Type}_{field}</c>: PGVectorAdapter stores an <c>IndexSchema</c> data point
    /// (its own timestamps, <c>type</c> "IndexSchema", <c>text</c> = the embedded value and a few reference scalars),
    /// not the node itself.
    /// </summary>
    public PyDict IndexPayload(string field, bool v15, DateTime indexedAt, IEnumerable<string>? belongsToSet = null) =>
        IndexSchema(Id, IndexText(field), v15, indexedAt, belongsToSet ?? BelongsToSet ?? [], DocumentId, DocumentName, ChunkIndex, SourceChunkId);

    public static PyDict IndexSchema(Guid id, string text, bool v15, DateTime indexedAt, IEnumerable<string> belongsToSet,
        string? documentId = null, string? documentName = null, int? chunkIndex = null, string? sourceChunkId = null)
    {
        var ms = CogneeTime.EpochMs(indexedAt);
        var payload = new PyDict
        {
            { "id", id },
            { "created_at", ms },
            { "updated_at", ms },
            { "ontology_valid", false },
            { "ontology_uri", null },
            { "version", 1 },
            { "topological_rank", 0 },
        };
        if (v15)
        {
            payload["valid_to"] = null;
        }

        payload["metadata"] = Metadata(["text"], null);
        payload["type"] = "IndexSchema";
        payload["belongs_to_set"] = belongsToSet.ToList();
        payload["source_pipeline"] = null;
        payload["source_task"] = null;
        payload["source_node_set"] = null;
        payload["source_user"] = null;
        payload["source_content_hash"] = null;
        payload["feedback_weight"] = 0.5;
        payload["importance_weight"] = 0.5;
        payload["text"] = text;
        payload["document_id"] = documentId;
        payload["document_name"] = documentName;
        payload["chunk_index"] = chunkIndex;
        payload["source_chunk_id"] = sourceChunkId;
        return payload;
    }
}

/// <summary>
/// A graph edge as <c>add_data_points</c> stores it: (source, target, relationship_name, properties), the properties
/// completed by <c>ensure_default_edge_properties</c> (<c>edge_object_id</c>, <c>feedback_weight</c>, <c>edge_text</c>).
/// </summary>
internal sealed record GraphEdge(Guid Source, Guid Target, string RelationshipName, PyDict Properties)
{
    /// <summary>The text <c>index_graph_edges</c> embeds as an <c>EdgeType</c>: <c>edge_text</c>, else the relationship name.</summary>
    public string RetrievalText => Properties.ContainsKey("edge_text") && Properties["edge_text"] is string { Length: > 0 } text
        ? text.Trim()
        : RelationshipName;
}

/// <summary>Everything one <c>add_data_points</c> call writes for one document of one dataset.</summary>
internal sealed class CognifyBatch
{
    public required MembershipSpec Membership { get; init; }
    public required DocumentContent Content { get; init; }
    public required List<DataPointNode> Nodes { get; init; }
    public required List<GraphEdge> Edges { get; init; }
    public required DateTime StoredAt { get; init; }
}

/// <summary>
/// Turns a document into the data points Cognee's default cognify pipeline makes of it (TextDocument, NodeSet,
/// DocumentChunk, Entity, EntityType, TextSummary) and the edges between them, with ids, field order, provenance
/// stamps and edge properties as in Cognee v1.4.2/v1.5.2.
/// </summary>
internal sealed class CogneeGraphBuilder
{
    private readonly CogneeSampleModel _model;
    private readonly string _dataRoot;

    // Relations already in the graph are not attached again (attach_new_edges_to_data_points).
    private readonly HashSet<(Guid, Guid, string)> _storedRelations = [];

    public CogneeGraphBuilder(CogneeSampleModel model, string dataRoot)
    {
        _model = model;
        _dataRoot = dataRoot;
    }

    public CognifyBatch Build(MembershipSpec membership)
    {
        var content = membership.Content;
        var text = DocumentGenerator.Generate(_model, content);
        var owner = membership.Dataset.Owner;
        var t0 = membership.CognifiedAt;
        var nodeSet = content.NodeSet;
        var nodeSetNames = nodeSet?.ToList();
        var sourceNodeSet = nodeSet is null ? null : string.Join(", ", nodeSet);
        var nodes = new List<DataPointNode>();
        var edges = new List<GraphEdge>();
        var edgeKeys = new HashSet<(Guid, Guid, string)>();
        var storedAt = t0.AddSeconds(9);
        var edgeStamp = CogneeTime.EdgeStamp(storedAt);

        DataPointNode Node(Guid id, string type, string[] indexFields, string[]? identityFields, DateTime created, int rank, string task,
            PyDict fields, List<string>? belongsToSet, string? documentId = null, string? documentName = null, int? chunkIndex = null,
            string? sourceChunkId = null)
        {
            var node = new DataPointNode
            {
                Id = id, Type = type, IndexFields = indexFields, IdentityFields = identityFields, CreatedAt = created,
                TopologicalRank = rank, SourceTask = task, SourceUser = owner.Email, SourceContentHash = text.ContentHash,
                SourceNodeSet = sourceNodeSet, BelongsToSet = belongsToSet, Fields = fields, DocumentId = documentId,
                DocumentName = documentName, ChunkIndex = chunkIndex, SourceChunkId = sourceChunkId,
            };
            nodes.Add(node);
            return node;
        }

        void Edge(DataPointNode source, DataPointNode target, string field, string? relationshipType = null, string? edgeText = null)
        {
            var relationship = relationshipType ?? field;
            if (!edgeKeys.Add((source.Id, target.Id, field)))
            {
                return;
            }

            var properties = new PyDict
            {
                { "source_node_id", source.Id },
                { "target_node_id", target.Id },
                { "relationship_name", relationship },
                { "updated_at", edgeStamp },
            };
            if (relationshipType is not null)
            {
                // The Edge model's dump (exclude_none): relationship_type, edge_text.
                properties["relationship_type"] = relationshipType;
                if (edgeText is not null)
                {
                    properties["edge_text"] = edgeText;
                }
            }

            properties["edge_object_id"] = CogneeIds.EdgeObjectId(source.Id, target.Id, relationship).ToString("D");
            properties["feedback_weight"] = 0.5;
            if (!properties.ContainsKey("edge_text"))
            {
                properties["edge_text"] = $"{EdgeLabel(source)} {relationship.Replace('_', ' ')} {EdgeLabel(target)}.";
            }

            edges.Add(new GraphEdge(source.Id, target.Id, relationship, properties));
        }

        // classify_documents: the TextDocument (id = the data row's original id) and its node sets.
        var external = nodeSet is null ? new PyDict() : new PyDict { { "node_set", nodeSet } };
        var document = Node(content.DocumentId, "TextDocument", ["name"], null, t0.AddMilliseconds(120), 1, "classify_documents",
            new PyDict
            {
                { "name", text.Name },
                { "raw_data_location", RawDataLocation(content, text) },
                { "external_metadata", PyJson.Dumps(external, indent: 4) },
                { "mime_type", content.MimeType },
            }, nodeSetNames);
        var nodeSets = (nodeSet ?? []).Select(name => Node(CogneeIds.NodeId($"NodeSet:{name}"), "NodeSet", [], null, t0.AddMilliseconds(121), 1,
            "classify_documents", new PyDict { { "name", name } }, null)).ToList();
        foreach (var set in nodeSets)
        {
            Edge(document, set, "belongs_to_set");
        }

        var entityTypes = new Dictionary<Guid, DataPointNode>();
        var entities = new Dictionary<Guid, DataPointNode>();
        var relationsBySource = NewRelations(text);
        var documentIdText = content.DocumentId.ToString("D");
        foreach (var chunk in text.Chunks)
        {
            var chunkCreated = t0.AddMilliseconds(400 + chunk.Index * 7);
            var chunkFields = new PyDict
            {
                { "text", chunk.Text },
                { "chunk_size", chunk.Words },
                { "chunk_index", chunk.Index },
                { "cut_type", chunk.CutType },
            };
            if (chunk.Mentions.Count == 0)
            {
                // An empty contains list is an ordinary property, not an edge.
                chunkFields["contains"] = Array.Empty<object>();
            }

            chunkFields["document_id"] = documentIdText;
            chunkFields["document_name"] = text.Name;
            chunkFields["truth_alignment"] = null;
            chunkFields["truth_epoch"] = null;
            var chunkNode = Node(CogneeIds.Uuid5($"{documentIdText}-{chunk.Index}"), "DocumentChunk", ["text"], null, chunkCreated, 2,
                "extract_chunks_from_documents", chunkFields, nodeSetNames, documentIdText, text.Name, chunk.Index);
            Edge(chunkNode, document, "is_part_of");
            foreach (var set in nodeSets)
            {
                Edge(chunkNode, set, "belongs_to_set");
            }

            // extract_graph_and_summarize: entities (one object per id in the batch), their types, the chunk's summary.
            var extracted = t0.AddMilliseconds(3000 + chunk.Index * 11);
            foreach (var mention in chunk.Mentions)
            {
                var typeId = CogneeIds.IdFor("EntityType", mention.Type);
                if (!entityTypes.TryGetValue(typeId, out var typeNode))
                {
                    var typeName = CogneeIds.NodeName(mention.Type);
                    typeNode = Node(typeId, "EntityType", ["name"], ["name"], extracted, 3, "extract_graph_and_summarize",
                        new PyDict { { "name", typeName }, { "description", typeName }, { "relations", Array.Empty<object>() } }, null);
                    entityTypes[typeId] = typeNode;
                }

                var entityId = CogneeIds.IdFor("Entity", mention.Name);
                if (!entities.TryGetValue(entityId, out var entityNode))
                {
                    var entityFields = new PyDict { { "name", CogneeIds.NodeName(mention.Name) }, { "description", mention.Description } };
                    if (!relationsBySource.ContainsKey(entityId))
                    {
                        // An empty relations list is an ordinary property; a filled one becomes edges.
                        entityFields["relations"] = Array.Empty<object>();
                    }

                    entityFields["truth_alignment"] = null;
                    entityFields["truth_subspace_signature"] = null;
                    entityFields["truth_epoch"] = null;
                    entityNode = Node(entityId, "Entity", ["name"], ["name"], extracted.AddMilliseconds(1), 3, "extract_graph_and_summarize",
                        entityFields, nodeSetNames);
                    entities[entityId] = entityNode;
                }

                var description = mention.Description.Trim();
                Edge(chunkNode, entityNode, "contains", "contains",
                    description.Length > 0 ? $"Document chunk mentions {entityNode.Fields["name"]}: {description}" : null);
                Edge(entityNode, typeNode, "is_a");
                foreach (var set in nodeSets)
                {
                    Edge(entityNode, set, "belongs_to_set");
                }
            }

            var summaryId = CogneeIds.Uuid5(chunkNode.Id, "TextSummary");
            var summary = Node(summaryId, "TextSummary", ["text"], null, extracted.AddMilliseconds(500), 3, "extract_graph_and_summarize",
                new PyDict
                {
                    { "text", chunk.Summary },
                    { "source_chunk_id", chunkNode.Id.ToString("D") },
                    { "summarized_in", null },
                    { "global_context_bucket_id", null },
                }, nodeSetNames, sourceChunkId: chunkNode.Id.ToString("D"));
            Edge(summary, chunkNode, "made_from");
            foreach (var set in nodeSets)
            {
                Edge(summary, set, "belongs_to_set");
            }
        }

        // An entity's relations field becomes edges when it holds any.
        foreach (var (sourceId, relations) in relationsBySource)
        {
            foreach (var (targetId, relation) in relations)
            {
                Edge(entities[sourceId], entities[targetId], "relations", CogneeIds.EdgeName(relation.Name), relation.Description);
            }
        }

        return new CognifyBatch { Membership = membership, Content = text, Nodes = nodes, Edges = edges, StoredAt = storedAt };
    }

    /// <summary>Where ingestion stored the file, as a file URI: <c>&lt;md5&gt;/&lt;file&gt;</c>, or <c>text_&lt;md5&gt;.txt</c> for a text.</summary>
    public string RawDataLocation(ContentSpec content, DocumentContent text) => new Uri(RawFilePath(content, text)).AbsoluteUri;

    public string RawFilePath(ContentSpec content, DocumentContent text) => content.FileName is null
        ? Path.Combine(_dataRoot, $"{text.Name}.txt")
        : Path.Combine(_dataRoot, text.ContentHash, $"{text.Name}.{content.Extension}");

    /// <summary>
    /// The relations of the document's chunks that are new to the graph, by source entity: Cognee attaches only
    /// relations the graph does not hold yet.
    /// </summary>
    private Dictionary<Guid, List<(Guid Target, Relation Relation)>> NewRelations(DocumentContent text)
    {
        var bySource = new Dictionary<Guid, List<(Guid, Relation)>>();
        foreach (var relation in text.Chunks.SelectMany(c => c.Relations))
        {
            var source = CogneeIds.IdFor("Entity", relation.Source);
            var target = CogneeIds.IdFor("Entity", relation.Target);
            if (_storedRelations.Add((source, target, CogneeIds.EdgeName(relation.Name))))
            {
                if (!bySource.TryGetValue(source, out var list))
                {
                    bySource[source] = list = [];
                }

                list.Add((target, relation));
            }
        }

        return bySource;
    }

    /// <summary>
    /// The label <c>_build_fallback_edge_text</c> uses: the first index field's value (whitespace collapsed, 80
    /// characters), else the name, else the class name.
    /// </summary>
    private static string EdgeLabel(DataPointNode node)
    {
        foreach (var field in node.IndexFields)
        {
            if (node.Fields.ContainsKey(field) && node.Fields[field] is string value && value.Trim().Length > 0)
            {
                var collapsed = string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                return collapsed.Length > 80 ? collapsed[..80] : collapsed;
            }
        }

        return node.Fields.ContainsKey("name") && node.Fields["name"] is string name && name.Trim().Length > 0 ? name.Trim() : node.Type;
    }
}
