// Runs the graphql-http audit suite against a live rm-graphql server.
// usage: RM_TOKEN=... node audit.mjs http://127.0.0.1:8000/graphql
// Exits 1 when any MUST audit fails; prints every SHOULD warning (explained in the README).
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
const token = process.env.RM_TOKEN;
if (!url || !token) {
  console.error('usage: RM_TOKEN=... node audit.mjs URL');
  process.exit(2);
}

function withToken(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const audits = serverAudits({ url, fetchFn: withToken });
const results = [];
for (const audit of audits) {
  results.push({ audit, result: await audit.fn() });
}
const failures = results.filter(({ result }) => result.status === 'error');
const warnings = results.filter(({ result }) => result.status === 'warn');
for (const { audit, result } of warnings) {
  console.log(`SHOULD  ${audit.id} ${audit.name}: ${result.reason}`);
}
for (const { audit, result } of failures) {
  console.log(`MUST    ${audit.id} ${audit.name}: ${result.reason}`);
}
const passed = results.length - failures.length - warnings.length;
console.log(`graphql-http audits: ${results.length} run, ${passed} ok, ${warnings.length} SHOULD warnings, ${failures.length} MUST failures`);
process.exit(failures.length ? 1 : 0);
