using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Engine.Targets.Neo4j;

/// <summary>A graph node to write: merged by its unified id under the label UnifiedNode, with its type as a second label.</summary>
public sealed record GraphNodeRecord(
    string Id, string? Type, string? Name, JsonObject? Properties, string SystemOrigin, Guid RunId, string? LegacyId);

/// <summary>A graph edge to write between two unified node ids; its relationship name becomes the relationship type.</summary>
public sealed record GraphEdgeRecord(
    string Id, string SourceId, string TargetId, string? RelationshipName, JsonObject? Properties, string SystemOrigin, Guid RunId);

/// <summary>A node as Neo4j holds it: its labels and properties.</summary>
public sealed record StoredGraphNode(string Id, IReadOnlyList<string> Labels, JsonObject Properties);

/// <summary>A relationship as Neo4j holds it: its type, its ends' unified ids and its properties.</summary>
public sealed record StoredGraphEdge(string Id, string Type, string SourceId, string TargetId, JsonObject Properties);

public readonly record struct GraphCounts(long Nodes, long Edges);

/// <summary>How many edges were written, and the ids of those not written because an end node does not exist.</summary>
public sealed record EdgeUpsertResult(int Written, IReadOnlyList<string> MissingEndpointEdgeIds);

/// <summary>What deleting a run removed, and how many of its nodes stay because other runs' relationships still use them.</summary>
public sealed record RunDeletion(long EdgesDeleted, long NodesDeleted, long NodesKept);
