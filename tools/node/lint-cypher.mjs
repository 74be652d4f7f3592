#!/usr/bin/env node
// Parse every Cypher file named on the command line with Neo4j's own parser and semantic
// analysis (@neo4j-cypher/language-support) and print one JSON object: {file: [diagnostics]}.
//
// Why: the statements in cypher/ must be valid Neo4j 5 Cypher even though the test suite
// executes them on another openCypher server. Parameters are declared from each file's
// `// params:` header, so `$name` is not reported as undefined; every other error or warning
// (deprecations included) is reported. Exit code: 0 when no file has a diagnostic, 1 otherwise,
// 2 on a usage error.
//
//   node tools/node/lint-cypher.mjs cypher/nodes/get_node.cypher ...
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// NOTE: the package's ESM build misses file extensions on Node 20; its CJS build works.
const require = createRequire(import.meta.url);
const { lintCypherQuery } = require('@neo4j-cypher/language-support');

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };

function declaredParameters(text) {
  const match = text.match(/^\/\/\s*params:\s*(.*)$/m);
  const params = {};
  if (match && match[1].trim() !== 'none') {
    for (const name of match[1].split(',')) {
      params[name.trim().replace(/^\$/, '')] = null;
    }
  }
  return params;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: lint-cypher.mjs FILE.cypher...');
  process.exit(2);
}
const report = {};
let failed = false;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const diagnostics = lintCypherQuery(text, { parameters: declaredParameters(text) });
  report[file] = diagnostics.map((d) => ({
    severity: SEVERITY[d.severity] ?? String(d.severity),
    message: d.message,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
  }));
  failed ||= report[file].length > 0;
}
console.log(JSON.stringify(report, null, 2));
process.exit(failed ? 1 : 0);
