// Runs the `graphql-http` package's GraphQL-over-HTTP server audits against a
// Signpost endpoint, one after another, and prints one JSON line:
//   {"total": N, "ok": N, "failed": [{"id", "name", "status", "reason"}]}
//
//   node tests/browser/http-audit.mjs http://127.0.0.1:PORT/graphql
//
// Exits 1 when any audit is not ok (MUST, SHOULD or MAY). Run by the
// `graphql_over_http_audits_all_pass` test, which starts the server.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: http-audit.mjs GRAPHQL_URL');
  process.exit(2);
}
const results = [];
for (const { fn } of serverAudits({ url, fetchFn: fetch })) results.push(await fn());
const failed = results
  .filter((result) => result.status !== 'ok')
  .map(({ id, name, status, reason }) => ({ id, name, status, reason }));
console.log(JSON.stringify({ total: results.length, ok: results.length - failed.length, failed }));
process.exit(failed.length === 0 ? 0 : 1);
