#!/usr/bin/env node
// Writes Cognee's native stores for the tests with the real libraries, the way Cognee's adapters create them:
// LanceDB tables (LanceDBAdapter: id utf8, vector fixed-size list of float32, payload struct of the IndexSchema
// without metadata) with @lancedb/lancedb 0.31.0, and Kuzu / Ladybug databases (KuzuAdapter / LadybugAdapter:
// Node and EDGE tables, properties as a JSON string) with npm kuzu 0.11.3 / lbug 0.14.3.
// Reads a JSON spec on stdin: {"lance": [{"uri", "dimensions", "tables": {name: [{id, vector, payload}]}}],
// "graphs": [{"engine": "kuzu"|"lbug", "path", "nodes": [{id, name, type, created_at, properties}],
// "edges": [{source, target, relationship_name, properties}]}]}. Packages come from module/native-reader.
'use strict';
const path = require('node:path');
const modules = path.join(__dirname, '..', '..', 'module', 'native-reader', 'node_modules');
const need = (name) => require(require.resolve(name, { paths: [modules] }));

// The IndexSchema fields as lancedb's pydantic conversion types them (DataPoint base fields, text, chunk references).
const payloadFields = (arrow) => [
  ['id', new arrow.Utf8()], ['created_at', new arrow.Int64()], ['updated_at', new arrow.Int64()],
  ['ontology_valid', new arrow.Bool()], ['version', new arrow.Int64()], ['topological_rank', new arrow.Int64()],
  ['type', new arrow.Utf8()], ['belongs_to_set', new arrow.List(new arrow.Field('item', new arrow.Utf8(), true))],
  ['text', new arrow.Utf8()], ['document_id', new arrow.Utf8()], ['document_name', new arrow.Utf8()],
  ['chunk_index', new arrow.Int64()], ['source_chunk_id', new arrow.Utf8()], ['importance_weight', new arrow.Float64()],
].map(([name, type]) => new arrow.Field(name, type, true));

// DataPoint's defaults (ontology_valid False, version 1, topological_rank 0, importance_weight 0.5, belongs_to_set []);
// the optional chunk references stay null.
const defaults = (arrow) => ({
  ...Object.fromEntries(payloadFields(arrow).map((f) => [f.name, null])),
  ontology_valid: false, version: 1, topological_rank: 0, importance_weight: 0.5, belongs_to_set: [],
});

async function writeLance(store) {
  const lancedb = need('@lancedb/lancedb');
  const arrow = need('apache-arrow');
  const schema = new arrow.Schema([
    new arrow.Field('id', new arrow.Utf8(), false),
    new arrow.Field('vector', new arrow.FixedSizeList(store.dimensions, new arrow.Field('item', new arrow.Float32(), true)), true),
    new arrow.Field('payload', new arrow.Struct(payloadFields(arrow)), true),
  ]);
  const db = await lancedb.connect(store.uri);
  for (const [name, rows] of Object.entries(store.tables)) {
    const table = await db.createEmptyTable(name, schema, { mode: 'overwrite' });
    // Cognee merges in batches, so a table has several versions and fragments: write in two batches.
    const half = Math.ceil(rows.length / 2);
    for (const batch of [rows.slice(0, half), rows.slice(half)].filter((b) => b.length > 0)) {
      await table.add(batch.map((r) => ({ id: r.id, vector: r.vector, payload: { ...defaults(arrow), ...r.payload } })));
    }
  }
}

async function writeGraph(store) {
  const driver = need(store.engine);
  const database = new driver.Database(store.path);
  const connection = new driver.Connection(database);
  await connection.query(`CREATE NODE TABLE IF NOT EXISTS Node(id STRING PRIMARY KEY, name STRING, type STRING,
    created_at TIMESTAMP, updated_at TIMESTAMP, properties STRING)`);
  await connection.query(`CREATE REL TABLE IF NOT EXISTS EDGE(FROM Node TO Node, relationship_name STRING,
    created_at TIMESTAMP, updated_at TIMESTAMP, properties STRING)`);
  const node = await connection.prepare(`MERGE (n:Node {id: $id}) SET n.name = $name, n.type = $type,
    n.created_at = timestamp($created_at), n.updated_at = timestamp($created_at), n.properties = $properties`);
  for (const n of store.nodes) {
    await connection.execute(node, { id: n.id, name: n.name, type: n.type, created_at: n.created_at, properties: JSON.stringify(n.properties) });
  }
  const edge = await connection.prepare(`MATCH (a:Node {id: $source}), (b:Node {id: $target})
    MERGE (a)-[r:EDGE {relationship_name: $relationship_name}]->(b)
    SET r.created_at = timestamp($created_at), r.updated_at = timestamp($created_at), r.properties = $properties`);
  for (const e of store.edges) {
    await connection.execute(edge, { source: e.source, target: e.target, relationship_name: e.relationship_name,
      created_at: e.created_at, properties: JSON.stringify(e.properties) });
  }
  await connection.close?.();
  await database.close?.();
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const spec = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  for (const store of spec.lance ?? []) await writeLance(store);
  for (const store of spec.graphs ?? []) await writeGraph(store);
}

main().then(() => process.exit(0), (error) => { process.stderr.write(`${error?.stack ?? error}\n`); process.exit(2); });
