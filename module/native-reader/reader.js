#!/usr/bin/env node
// PSUnifiedMigration's reader of Cognee's native stores: LanceDB tables (npm @lancedb/lancedb) and Kuzu / Ladybug
// graph databases (npm kuzu, lbug). No .NET library reads them, so the engine starts this script once per page and
// reads its stdout: one JSON object per line, then an {"end": n} line, so a helper that died mid-page is never taken
// for a short page. Vectors travel as base64 of their float32 little-endian bytes, so every bit arrives unchanged.
// Pages are keyset pages on id (rows after a key, at most a limit of them), so memory stays bounded by the page size
// and a run resumes from the last key it wrote. Stores are opened read-only and never modified.
'use strict';

const path = require('node:path');

const out = (value) => process.stdout.write(JSON.stringify(value) + '\n');

/** Command line: command, then its arguments; '-' stands for "no key" (the first page). */
async function main(argv) {
  const [command, ...args] = argv;
  const key = (value) => (value === undefined || value === '-' ? null : value);
  switch (command) {
    case 'check':
      return check();
    case 'lance-tables':
      return lanceTables(args[0]);
    case 'lance-page':
      return lancePage(args[0], args[1], Number(args[2]), key(args[3]), Number(args[4]));
    case 'graph-probe':
      return graphProbe(args[0], args[1]);
    case 'graph-nodes':
      return graphNodes(args[0], args[1], key(args[2]), Number(args[3]));
    case 'graph-edges':
      return graphEdges(args[0], args[1], key(args[2]), Number(args[3]));
    default:
      throw new Error(`unknown command '${command}'; expected check, lance-tables, lance-page, graph-probe, graph-nodes or graph-edges`);
  }
}

/** The Node.js version and each package's version, or null when the package (with its native binding) does not load. */
async function check() {
  const fs = require('node:fs');
  const packages = {};
  for (const name of ['@lancedb/lancedb', 'kuzu', 'lbug']) {
    try {
      require(name);
      let folder = path.dirname(require.resolve(name));
      while (!fs.existsSync(path.join(folder, 'package.json')) || JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')).name !== name) {
        folder = path.dirname(folder);
      }
      packages[name] = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')).version;
    } catch {
      packages[name] = null;
    }
  }
  out({ node: process.versions.node, packages });
}

// ---- LanceDB -------------------------------------------------------------------------------------------------------

async function openLance(uri) {
  const lancedb = require('@lancedb/lancedb');
  return lancedb.connect(uri);
}

/** Each table with its row count and vector dimension (the fixed-size list's size), read from the table's schema. */
async function lanceTables(uri) {
  const db = await openLance(uri);
  for (const name of await db.tableNames()) {
    const table = await db.openTable(name);
    const schema = await table.schema();
    const fields = schema.fields.map((f) => f.name);
    const vector = schema.fields.find((f) => f.name === 'vector');
    out({ table: name, version: await table.version(), rows: await table.countRows(), dimensions: vector?.type?.listSize ?? null, columns: fields });
  }
}

/**
 * The rows after id `after`, in id order, at most `limit`, of the table as it was at `version` (the version
 * lance-tables reported when the run began, so every page reads the same snapshot). LanceDB queries have no ORDER BY, so one scan of the rows
 * with a larger id keeps the `limit` smallest in a bounded list: memory is the page, never the table.
 */
async function lancePage(uri, tableName, version, after, limit) {
  const db = await openLance(uri);
  const table = await db.openTable(tableName);
  await table.checkout(version);
  let query = table.query();
  if (after !== null) {
    query = query.where(`id > '${after.replaceAll("'", "''")}'`);
  }

  const page = [];
  for await (const batch of query) {
    for (let i = 0; i < batch.numRows; i++) {
      const id = String(batch.getChild('id').get(i));
      if (page.length === limit && !(id < page[page.length - 1].id)) {
        continue;
      }

      const row = { id, vector: vectorOf(batch.getChild('vector')?.get(i)), payload: plain(batch.getChild('payload')?.get(i) ?? null) };
      let at = page.findIndex((r) => id < r.id);
      page.splice(at < 0 ? page.length : at, 0, row);
      if (page.length > limit) {
        page.pop();
      }
    }
  }

  page.forEach(out);
  return page.length;
}

function vectorOf(value) {
  if (value === null || value === undefined) {
    return null;
  }

  const floats = Float32Array.from(value.toArray ? value.toArray() : value);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}

/** An Arrow struct row (or any nested value) as plain JSON: BigInt as number when it fits, lists as arrays. */
function plain(value) {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value === 'bigint') {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }
  if (value instanceof Date) {
    return value.toISOString();
  }
  if (ArrayBuffer.isView(value)) {
    return Array.from(value, plain);
  }
  if (typeof value === 'object') {
    if (typeof value.toJSON === 'function' && !Array.isArray(value)) {
      value = value.toJSON();
    }
    if (Array.isArray(value) || (typeof value[Symbol.iterator] === 'function' && typeof value !== 'string')) {
      return Array.from(value, plain);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

// ---- Kuzu / Ladybug ------------------------------------------------------------------------------------------------

/** A read-only connection with the engine's own package: 'kuzu' (Kuzu) or 'lbug' (Ladybug). */
function openGraph(engine, file) {
  if (engine !== 'kuzu' && engine !== 'lbug') {
    throw new Error(`unknown graph engine '${engine}'; expected kuzu or lbug`);
  }

  const driver = require(engine);
  const database = new driver.Database(file, 0, true, true);
  return new driver.Connection(database);
}

async function rows(connection, cypher, parameters) {
  const result = parameters
    ? await connection.execute(await connection.prepare(cypher), parameters)
    : await connection.query(cypher);
  return result.getAll();
}

/** Opens the database and counts its Node rows and EDGE relationships (the tables Cognee's adapter creates). */
async function graphProbe(engine, file) {
  const connection = openGraph(engine, file);
  const [nodes] = await rows(connection, 'MATCH (n:Node) RETURN count(n) AS c');
  const [edges] = await rows(connection, 'MATCH (:Node)-[r:EDGE]->(:Node) RETURN count(r) AS c');
  out({ engine, nodes: plain(nodes.c), edges: plain(edges.c) });
}

/** Node rows after id `after` in id order, with every property the table has (so each era's columns come along). */
async function graphNodes(engine, file, after, limit) {
  const connection = openGraph(engine, file);
  const page = await rows(connection, after === null
    ? 'MATCH (n:Node) RETURN n ORDER BY n.id LIMIT $limit'
    : 'MATCH (n:Node) WHERE n.id > $after RETURN n ORDER BY n.id LIMIT $limit', after === null ? { limit } : { after, limit });
  for (const { n } of page) {
    const { _id, _label, ...properties } = n;
    out({ id: properties.id, properties: plain(properties) });
  }
}

/** EDGE relationships after the key `after` (JSON [source, relationship, target]) in key order. */
async function graphEdges(engine, file, after, limit) {
  const connection = openGraph(engine, file);
  const [s, r, t] = after === null ? [] : JSON.parse(after);
  const page = await rows(connection, after === null
    ? 'MATCH (a:Node)-[e:EDGE]->(b:Node) RETURN a.id AS s, e.relationship_name AS r, b.id AS t, e ORDER BY s, r, t LIMIT $limit'
    : `MATCH (a:Node)-[e:EDGE]->(b:Node)
       WHERE a.id > $s OR (a.id = $s AND (e.relationship_name > $r OR (e.relationship_name = $r AND b.id > $t)))
       RETURN a.id AS s, e.relationship_name AS r, b.id AS t, e ORDER BY s, r, t LIMIT $limit`,
  after === null ? { limit } : { s, r, t, limit });
  for (const row of page) {
    const { _id, _label, _src, _dst, ...properties } = row.e;
    out({ source: row.s, relationship: row.r, target: row.t, properties: plain(properties) });
  }
}

main(process.argv.slice(2)).then(
  (count) => out({ end: typeof count === 'number' ? count : null }),
  (error) => {
    process.stderr.write(`${error?.message ?? error}\n`);
    process.exit(2);
  },
);
