// Drives Signpost's admin console in headless Chromium with the network cut off
// (only the server and the test's OpenID Connect provider, both on 127.0.0.1,
// are reachable): signs in through the provider, imports the official HSDS
// example files, refuses a bad file and an oversized one, restores an earlier
// import, survives a lost answer, runs an ingest, keeps a dataset, and signs in
// again as a reader who is refused the admin actions. axe-core checks every page;
// a screenshot of each page is saved.
//
//   node tests/browser/admin.mjs BASE_URL ISSUER_URL SCREENSHOT_DIR MAX_UPLOAD_BYTES PACKAGE_ZIP
//
// Prints one JSON line with what it saw; exits 1 on any failure. Run by the
// `admin_console_works_in_a_real_browser` test, which starts the server, the
// provider and an ingest source.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [base, issuer, shots, maxUpload, packageZip] = process.argv.slice(2);
if (!base || !issuer || !shots || !maxUpload || !packageZip) {
  console.error('usage: admin.mjs BASE_URL ISSUER_URL SCREENSHOT_DIR MAX_UPLOAD_BYTES PACKAGE_ZIP');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const official = new URL('../fixtures/hsds/official/', import.meta.url);
const fixture = (name) => readFileSync(new URL(name, official));

const allowed = [new URL(base).origin, new URL(issuer).origin];
const problems = [];
const offsite = [];
// Figures for the closing report (not assertions): milliseconds, as the user waits.
const seen = { pages: [], axe: {}, timings: {} };
const since = (start) => Math.round(performance.now() - start);
let step = 'start';
// Console errors a step causes on purpose (a dropped answer) are not failures.
let expectNetworkErrors = false;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (allowed.some((origin) => url.startsWith(origin))) return route.continue();
  offsite.push(url);
  return route.abort('internetdisconnected');
});
const page = await context.newPage();
await page.addInitScript(() => {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
});
page.on('pageerror', (error) => problems.push(`${step}: page error: ${error.message}`));
page.on('console', (message) => {
  if (message.type() !== 'error') return;
  const text = message.text();
  if (expectNetworkErrors && /Failed to load resource|ERR_CONNECTION_RESET|ERR_INTERNET_DISCONNECTED|ERR_FAILED/.test(text)) return;
  problems.push(`${step}: console error: ${text}`);
});
page.on('dialog', (dialog) => dialog.accept());
// GraphQL errors, to tell a failure's cause from the report alone.
seen.graphqlErrors = [];
page.on('response', async (response) => {
  if (!response.url().endsWith('/graphql')) return;
  const body = await response.text().catch(() => '');
  if (/"errors":\[\{"message"/.test(body) && seen.graphqlErrors.length < 10) seen.graphqlErrors.push(`${step}: ${body.slice(0, 300)}`);
});

const T = { timeout: 20000 };
const heading = (name) => page.getByRole('heading', { level: 1, name }).waitFor(T);
const text = (value) => page.getByText(value, { exact: false }).first().waitFor(T);
const nav = async (name) => {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).click();
  await heading(name === 'Import' ? 'Import a file' : name);
};

/** axe-core on the page as it is: no serious or critical violation. */
async function audit(name) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  seen.axe[name] = violations.map((v) => `${v.impact} ${v.id}`);
  for (const v of violations) {
    if (v.impact === 'serious' || v.impact === 'critical') problems.push(`${name}: axe ${v.impact} ${v.id} at ${v.nodes.join(', ')}`);
  }
}

/** A screenshot of the page, and axe-core's audit of it. */
async function shoot(name) {
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
  seen.pages.push(name);
  await audit(name);
}

async function signIn(user) {
  await page.goto(`${base}/admin`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor(T);
  if (!page.url().startsWith(new URL(issuer).origin)) throw new Error(`sign-in went to ${page.url()}`);
  const start = performance.now();
  await page.getByRole('button', { name: `Sign in as ${user}` }).click();
  await heading('Overview');
  await page.locator('.counts').waitFor(T);
  seen.timings[`signInToCounts_${user}`] = since(start);
  if (!page.url().endsWith('/admin')) throw new Error(`after sign-in the page is ${page.url()}`);
}

async function upload(label, name, body, mimeType = 'text/csv') {
  await page.getByLabel(label, { exact: true }).setInputFiles({ name, mimeType, buffer: Buffer.from(body) });
}

try {
  step = 'sign in as admin';
  await signIn('admin');
  await text('Providers');
  await page.locator('.counts').waitFor(T);
  await page.locator('.chart').first().waitFor(T);
  // Keyboard: after navigation the page's heading has focus; Tab from the top reaches the skip link.
  const firstStop = await page.evaluate(() =>
    document.querySelector('a[href], button, input, select, summary, [tabindex]:not([tabindex="-1"])')?.textContent);
  if (firstStop !== 'Skip to content') problems.push(`the first Tab stop is ${JSON.stringify(firstStop)}, not the skip link`);
  // From the focused heading, Tab goes on into the page.
  await page.keyboard.press('Tab');
  const next = await page.evaluate(() => document.activeElement?.closest('main') !== null);
  if (!next) problems.push('Tab from the page heading leaves the page content');
  await shoot('overview');

  step = 'import a good file';
  await nav('Import');
  const focused = await page.evaluate(() => document.activeElement?.id);
  if (focused !== 'page-title') problems.push(`after navigating, focus is on ${JSON.stringify(focused)}, not the heading`);
  await audit('import-form');
  await upload('File', 'organizations.csv', fixture('organizations.csv'));
  await page.getByRole('button', { name: 'Upload and check' }).click();
  await page.getByRole('button', { name: 'Apply these changes' }).waitFor(T);
  await text('Every row was checked and nothing was changed yet');
  const previewRow = await page.locator('.preview tbody tr').first().innerText();
  if (!/organizations\.csv\s+\S+\s+2\s+2\s+0\s+0/.test(previewRow)) problems.push(`the preview's counts: ${JSON.stringify(previewRow)}`);
  await text('First rows of organizations.csv');
  await text('Example Organization Inc.');
  await shoot('import-preview');
  await page.getByRole('button', { name: 'Apply these changes' }).click();
  await text('Applied: 100%');
  await text('Done: 2 inserted, 0 updated, 0 deleted');
  // The applied import is another page of the same title: focus starts at its heading too.
  const focusAfterApply = await page.evaluate(() => document.activeElement?.id);
  if (focusAfterApply !== 'page-title') problems.push(`after applying, focus is on ${JSON.stringify(focusAfterApply)}`);
  await shoot('import-done');

  step = 'see the rows in Records';
  await nav('Records');
  await page.getByLabel('Type', { exact: true }).selectOption('providers');
  await page.getByLabel(/Words in the/).fill('Example Organization');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: 'Example Organization Inc.' }).click();
  await page.getByRole('heading', { level: 2, name: 'Example Organization Inc.' }).waitFor(T);
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByRole('button', { name: 'Unpublish' }).waitFor(T);
  await page.getByRole('button', { name: 'Flag for review' }).click();
  await page.getByRole('button', { name: 'Clear the flag' }).waitFor(T);
  await page.getByRole('region', { name: 'Change log', exact: true }).getByText('published').first().waitFor(T);
  await shoot('record');

  step = 'refuse a bad file';
  await nav('Import');
  const services = fixture('services.csv').toString('utf8').trimEnd().split('\n');
  const [header, row] = services;
  const cells = row.split(',');
  const columns = header.split(',');
  const bad = [...cells];
  bad[columns.indexOf('organization_id')] = '0190a000-0000-7000-8000-00000000beef';
  const unnamed = [...cells];
  unnamed[columns.indexOf('id')] = 'b1a5e6f2-6a51-4c5c-9d1b-6f1e0a6b0c01';
  unnamed[columns.indexOf('name')] = '';
  await upload('File', 'services.csv', [header, bad.join(','), unnamed.join(',')].join('\n') + '\n');
  await page.getByRole('button', { name: 'Upload and check' }).click();
  await page.locator('.problems.errors').waitFor(T);
  const errors = await page.locator('.problems.errors tbody tr').allInnerTexts();
  const named = (rowNo, column) => errors.some((line) => line.includes(`\t${rowNo}\t${column}\t`));
  for (const [rowNo, column] of [[2, 'organization_id'], [2, 'program_id'], [3, 'name']]) {
    if (!named(rowNo, column)) problems.push(`no error names row ${rowNo}, column ${column}: ${JSON.stringify(errors)}`);
  }
  await text('nothing in the directory was changed');
  if (await page.getByRole('button', { name: 'Apply these changes' }).count()) problems.push('a refused file can be applied');
  seen.badFileErrors = errors.length;
  await shoot('import-refused');

  step = 'refuse an oversized file before upload';
  await page.getByRole('link', { name: 'Import another file' }).click();
  await heading('Import a file');
  await upload('File', 'huge.csv', Buffer.alloc(Number(maxUpload) + 1, 'a'));
  await text('this server accepts files up to');
  if (!(await page.getByRole('button', { name: 'Upload and check' }).isDisabled())) problems.push('an oversized file can be sent');
  await shoot('import-too-large');

  step = 'lose the answer to apply, and retry without a second import';
  // The official example's service, without the programme the example never defines.
  const good = [...cells];
  good[columns.indexOf('program_id')] = '';
  await upload('File', 'services.csv', `${header}\n${good.join(',')}\n`);
  // The connection drops as the file is sent: the page says so and sends it again.
  expectNetworkErrors = true;
  await context.setOffline(true);
  await page.getByRole('button', { name: 'Upload and check' }).click();
  await text('the connection was lost while uploading');
  await shoot('upload-connection-lost');
  await context.setOffline(false);
  await page.getByRole('button', { name: 'Try again' }).click();
  await page.getByRole('button', { name: 'Apply these changes' }).waitFor(T);
  expectNetworkErrors = false;
  let dropped = 0;
  await page.route('**/graphql', async (route) => {
    if (!dropped && (route.request().postData() || '').includes('confirmImport')) {
      dropped += 1;
      await route.fetch(); // the server applies it; its answer never arrives
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  expectNetworkErrors = true;
  await page.getByRole('button', { name: 'Apply these changes' }).click();
  await text('The connection to the server was lost');
  await shoot('import-connection-lost');
  await page.getByRole('button', { name: 'Try again' }).click();
  await text('Applied: 100%');
  expectNetworkErrors = false;
  await page.unroute('**/graphql');
  seen.droppedAnswers = dropped;

  step = 'import the official HSDS example as a package';
  await nav('Import');
  await page.getByLabel('File', { exact: true }).setInputFiles(packageZip);
  let start = performance.now();
  await page.getByRole('button', { name: 'Upload and check' }).click();
  await page.getByRole('button', { name: 'Apply these changes' }).waitFor(T);
  seen.timings.packageUploadToPreview = since(start);
  seen.packageFiles = await page.getByRole('region', { name: 'What each file does' }).locator('tbody tr').count();
  if (seen.packageFiles < 15) problems.push(`the package's preview lists ${seen.packageFiles} files`);
  await shoot('package-preview');
  start = performance.now();
  await page.getByRole('button', { name: 'Apply these changes' }).click();
  await text('Applied: 100%');
  seen.timings.packageApplyToDone = since(start);

  step = 'open any record by its id';
  const termId = fixture('taxonomy_terms.csv').toString('utf8').split('\n')[1].split(',')[0];
  await nav('Records');
  await page.getByLabel('Id of any record').fill(termId);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await heading('One record');
  await text('TaxonomyTerm');
  // Imports write rows without change-log entries; edits (publish, flag) add them.
  await text('No changes recorded');
  await shoot('record-by-id');

  step = 'history and restore';
  await nav('History');
  const rows = page.locator('table.list tbody tr');
  await rows.first().waitFor(T);
  seen.historyRows = await rows.count();
  await shoot('history');
  await page.getByRole('button', { name: /^Restore organizations\.csv/ }).first().click();
  await heading('Import');
  await text('(a restore)');
  await text('Applied: 100%');
  await shoot('restore-done');

  step = 'run an ingest';
  await nav('Ingest');
  await page.getByRole('button', { name: 'Run now (local-files)', exact: true }).click();
  await page.locator('.run').first().getByText('completed with failures').waitFor({ timeout: 30000 });
  await page.getByRole('rowheader', { name: 'organizations.csv' }).first().waitFor(T);
  await page.getByRole('rowheader', { name: 'services.csv' }).first().waitFor(T);
  await page.getByRole('button', { name: 'Ignore services.csv' }).click();
  await page.getByRole('button', { name: 'Load again: services.csv' }).waitFor(T);
  await shoot('ingest');

  step = 'datasets';
  await nav('Datasets');
  await page.getByLabel('Organisation', { exact: true }).fill('acme');
  await page.getByLabel('Dataset', { exact: true }).fill('prices');
  await page.getByRole('button', { name: 'Create dataset' }).click();
  await heading('Dataset acme/prices');
  await upload('CSV file', 'prices.csv', 'code,amount,on\nA1,10,2026-01-02\nB2,12,2026-02-03\n');
  await page.getByRole('button', { name: 'Upload and preview' }).click();
  await page.getByRole('button', { name: 'Load this version' }).waitFor(T);
  await page.getByLabel('Type of amount').selectOption('NUMERIC');
  await shoot('dataset-preview');
  await page.getByRole('button', { name: 'Load this version' }).click();
  await text('Loaded: 100%');
  await page.getByRole('link', { name: 'Back to the dataset' }).click();
  await page.getByText('amount numeric').waitFor(T);
  await upload('CSV file', 'prices.csv', 'code,amount,on\nC3,14,2026-03-04\n');
  await page.getByRole('button', { name: 'Upload and preview' }).click();
  await page.getByRole('button', { name: 'Load this version' }).click();
  await text('Loaded: 100%');
  await page.getByRole('link', { name: 'Back to the dataset' }).click();
  await page.getByRole('button', { name: 'Restore version 1' }).click();
  await text('Loaded: 100%');
  await page.getByRole('link', { name: 'Back to the dataset' }).click();
  await page.getByRole('region', { name: 'Versions', exact: true }).getByText('3 (current)').waitFor(T);
  await shoot('dataset-versions');

  step = 'the provider unreachable while the sign-in is renewed';
  // Tokens live 10 s and are renewed 2 s early: within 9 s a renewal meets the cut.
  let cut = 0;
  await page.route(`${issuer}/token`, (route) => { cut += 1; return route.abort('internetdisconnected'); });
  expectNetworkErrors = true;
  await page.waitForTimeout(9000);
  await page.unroute(`${issuer}/token`);
  if (!cut) problems.push('no renewal was tried while the provider was unreachable');
  if (await page.getByText('Your sign-in has expired').count()) problems.push('an unreachable provider ended the sign-in');
  await nav('History');
  await page.locator('table.list tbody tr').first().waitFor(T);
  expectNetworkErrors = false;
  seen.renewalsCut = cut;

  step = 'phone width';
  await page.setViewportSize({ width: 375, height: 800 });
  await nav('Overview');
  await page.locator('.counts').waitFor(T);
  await page.locator('.chart').first().waitFor(T);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 1) problems.push(`at 375 px the page scrolls sideways by ${overflow} px`);
  await shoot('overview-phone');
  for (const name of ['History', 'Ingest', 'Datasets']) {
    await nav(name);
    await page.locator('main table, main .card').first().waitFor(T);
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (sideways > 1) problems.push(`at 375 px ${name} scrolls sideways by ${sideways} px`);
  }
  await shoot('datasets-phone');
  await page.setViewportSize({ width: 1280, height: 900 });

  step = 'sign out, sign in as a reader';
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor(T);
  await signIn('reader');
  await text('Charts of imports and ingest runs need the');
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Import', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Import' }).waitFor(T);
  await text('Import needs the');
  if (await page.getByLabel('File', { exact: true }).count()) problems.push('a reader is offered the import form');
  await shoot('reader-import');
  await page.goto(`${base}/admin/records?type=providers`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor(T);
  // A reload forgets the token (it lives in memory only): sign in again, then open a record.
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign in as reader' }).click();
  await heading('Records');
  await page.getByRole('link', { name: 'Example Organization Inc.' }).click();
  await text('publishing, flagging and the change log need the');
  if (await page.getByRole('button', { name: /Publish|Unpublish|Flag for review|Clear the flag/ }).count()) {
    problems.push('a reader is offered publish or flag');
  }
  await shoot('reader-record');

  step = 'a sign-in that cannot be renewed expires with a clear prompt, keeping the page';
  // As with a provider that gives no refresh token: the console asks for none.
  await page.route('**/admin/config.json', async (route) => {
    const response = await route.fetch();
    return route.fulfill({ response, json: { ...(await response.json()), scopes: 'openid profile' } });
  });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor(T);
  await signIn('admin');
  await nav('Import');
  await upload('File', 'organizations.csv', fixture('organizations.csv'));
  await page.getByText('Your sign-in has expired').waitFor({ timeout: 30000 });
  await page.getByRole('button', { name: 'Upload and check' }).click();
  await text('so nothing was imported: sign in again and choose the file again');
  const kept = await page.getByLabel('File', { exact: true }).evaluate((input) => input.files[0]?.name);
  if (kept !== 'organizations.csv') problems.push(`after expiry the chosen file is ${JSON.stringify(kept)}`);
  await shoot('expired');

  const csp = await page.evaluate(() => window.__csp);
  problems.push(...csp.map((v) => `CSP violation: ${v}`));
  if (offsite.length) problems.push(`requests off the two servers: ${offsite.join(', ')}`);
} catch (error) {
  problems.push(`${step}: ${String(error).split('\n')[0]}`);
  await page.screenshot({ path: `${shots}/failure.png`, fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}
console.log(JSON.stringify({ ok: problems.length === 0, problems, seen }));
process.exit(problems.length === 0 ? 0 : 1);
