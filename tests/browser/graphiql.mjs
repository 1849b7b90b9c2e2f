// Loads Signpost's GraphiQL page in headless Chromium with the network cut off
// (every request that is not to the server is aborted and counted, and DNS
// resolves nothing), runs the page's example query and opens the docs pane.
//
//   node tests/browser/graphiql.mjs http://127.0.0.1:PORT EXPECTED_TEXT
//
// Prints one JSON line with what it saw; exits 1 on any failure. Run by the
// `graphiql_runs_its_example_in_a_real_browser` test, which starts the server.
import { chromium } from 'playwright-core';

const [base, expected] = process.argv.slice(2);
if (!base || !expected) {
  console.error('usage: graphiql.mjs BASE_URL EXPECTED_TEXT');
  process.exit(2);
}
const origin = new URL(base).origin;
const problems = [];
const offsite = [];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});
try {
  const context = await browser.newContext();
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin)) return route.continue();
    offsite.push(url);
    return route.abort('internetdisconnected');
  });
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });

  const response = await page.goto(`${base}/graphiql`, { waitUntil: 'load' });
  if (!response || response.status() !== 200) problems.push(`page status ${response?.status()}`);
  await page.waitForSelector('.graphiql-execute-button', { timeout: 20000 });
  const query = await page.locator('.graphiql-query-editor').innerText();
  if (!query.includes('AdviceServices')) problems.push('the example query is not in the editor');

  await page.click('.graphiql-execute-button');
  await page.waitForFunction(
    (text) => document.querySelector('.result-window')?.textContent.includes(text),
    expected,
    { timeout: 20000 },
  );
  const result = await page.locator('.result-window').innerText();
  if (result.includes('"errors"')) problems.push(`the example query failed: ${result}`);

  await page.click('[aria-label="Show Documentation Explorer"]');
  await page.waitForSelector('.graphiql-doc-explorer', { timeout: 10000 });
  await page.getByText('Query', { exact: true }).first().click();
  await page.waitForFunction(
    () => document.querySelector('.graphiql-doc-explorer')?.textContent.includes('services'),
    null,
    { timeout: 10000 },
  );

  const csp = await page.evaluate(() => window.__csp);
  problems.push(...csp.map((v) => `CSP violation: ${v}`));
  if (offsite.length) problems.push(`requests off the server: ${offsite.join(', ')}`);
  console.log(JSON.stringify({ ok: problems.length === 0, problems, result: result.slice(0, 400) }));
} catch (error) {
  problems.push(String(error));
  console.log(JSON.stringify({ ok: false, problems }));
} finally {
  await browser.close();
}
process.exit(problems.length === 0 ? 0 : 1);
