// Reads CTest's JUnit report and prints one line per suite and the totals.
//   node scripts/lib/summary.mjs build/native/test-results.xml
import { readFileSync } from 'node:fs';

const xml = readFileSync(process.argv[2], 'utf8');
let passed = 0, failed = 0;
for (const match of xml.matchAll(/<testcase name="([^"]+)"[^>]*time="([^"]+)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
  const [, name, seconds, , body = ''] = match;
  const ok = !/<failure|<error/.test(body) && !/status="fail"/.test(match[0]);
  ok ? passed++ : failed++;
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${name.padEnd(24)} ${Number(seconds).toFixed(1).padStart(7)} s`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
