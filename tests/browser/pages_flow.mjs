// pkilab's pages as people use them, in Debian's Chromium (headless) driven by playwright-core:
//   1. an enrollee submits a CSR through the certsrv pages and downloads the certificate and the chain;
//   2. an officer logs in to the console, approves a pending request and revokes a certificate.
// Run by tests/integration/browser_test.cpp, which sets up the lab, checks the downloads and
// the published CRL with openssl, and gives Chromium a profile that trusts only the lab's root
// (HOME with an NSS database), so the TLS connection is verified, not waved through.
//
// Environment: PKILAB_HTTPS (https://127.0.0.1:PORT), OUT_DIR (screenshots and downloads),
// CSR_FILE, ENROLLEE_USER/_PASSWORD, OFFICER_USER/_PASSWORD, PENDING_CA, PENDING_ID,
// REVOKE_CA, REVOKE_SERIAL; CHROMIUM (default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = (name) => {
  const v = process.env[name];
  if (!v) { console.error(`pages_flow: ${name} is not set`); process.exit(2); }
  return v;
};
const base = env('PKILAB_HTTPS');
const out = env('OUT_DIR');
let shot = 0;
const screenshot = async (page, name) => {
  shot += 1;
  const file = join(out, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot ${file}`);
};
const step = (name) => console.log(`step ${name}`);

// Downloads the target of `selector` as Chromium does when a person clicks it.
async function download(page, selector, file) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const path = join(out, file);
  await dl.saveAs(path);
  console.log(`download ${path}`);
}

async function enroll(browser) {
  step('certsrv: the enrollee requests a certificate');
  const context = await browser.newContext({
    httpCredentials: { username: env('ENROLLEE_USER'), password: env('ENROLLEE_PASSWORD') },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  await page.goto(`${base}/certsrv/`);
  await screenshot(page, 'certsrv-home');
  // Home -> "Request a certificate" -> "advanced certificate request", as in AD CS.
  await page.click('a[href*="certrqus.asp"]');
  await screenshot(page, 'certsrv-request-type');
  await page.click('a[href*="certrqxt.asp"]');
  await page.fill('textarea[name="CertRequest"]', readFileSync(env('CSR_FILE'), 'utf8'));
  await page.selectOption('select[name="CertificateTemplate"]', 'WebServer');
  await screenshot(page, 'certsrv-advanced-request');
  await Promise.all([page.waitForNavigation(), page.click('form[action*="certfnsh.asp"] [type="submit"]')]);
  await page.waitForSelector('text=Certificate Issued');
  await screenshot(page, 'certsrv-issued');
  await download(page, 'a[href*="certnew.cer"][href*="Enc=b64"]', 'certsrv-certificate.cer');
  await download(page, 'a[href*="certnew.p7b"][href*="Enc=b64"]', 'certsrv-chain.p7b');
  await context.close();
}

async function officer(browser) {
  step('console: the officer logs in');
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('dialog', (dialog) => dialog.accept());  // "Revoke ...?" confirmations
  await page.goto(`${base}/console/`);
  await page.waitForSelector('input[name="username"]');  // sent to the log-in form
  await screenshot(page, 'login');
  await page.fill('input[name="username"]', env('OFFICER_USER'));
  await page.fill('input[name="password"]', env('OFFICER_PASSWORD'));
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] [type="submit"]')]);
  await screenshot(page, 'console-dashboard');

  step('console: the officer approves the pending request');
  const ca = env('PENDING_CA'), id = env('PENDING_ID');
  await page.goto(`${base}/console/requests?state=pending`);
  await screenshot(page, 'console-pending');
  await Promise.all([page.waitForNavigation(),
    page.click(`form[action="/console/requests/${ca}/${id}/approve"] [type="submit"]`)]);
  await screenshot(page, 'console-approved');

  step('console: the officer revokes a certificate');
  const rca = env('REVOKE_CA'), serial = env('REVOKE_SERIAL');
  await page.goto(`${base}/console/certificates?q=${serial}`);
  const form = `form[action="/console/certificates/${rca}/${serial}/revoke"]`;
  // In a table row the revoke form folds away behind its "Revoke" toggle, as for a person.
  const fold = await page.$(`details:has(${form}) > summary`);
  if (fold) await fold.click();
  const reason = await page.$(`${form} select[name="reason"]`);
  if (reason) await reason.selectOption('keyCompromise');
  await screenshot(page, 'console-certificate-search');
  await Promise.all([page.waitForNavigation(), page.click(`${form} [type="submit"]`)]);
  await screenshot(page, 'console-revoked');
  writeFileSync(join(out, 'revoked-page.html'), await page.content());
  await context.close();
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // Tests run as root in CI, where Chromium's sandbox cannot start.
  args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
let failed = false;
for (const flow of [enroll, officer]) {
  try {
    await flow(browser);
  } catch (e) {
    failed = true;
    console.error(`FAILED ${flow.name}: ${e.message}`);
    for (const context of browser.contexts())
      for (const page of context.pages()) {
        try { await screenshot(page, `failure-${flow.name}`); } catch { /* page gone */ }
      }
  }
}
await browser.close();
console.log(failed ? 'pages_flow: FAILED' : 'pages_flow: ok');
process.exit(failed ? 1 : 0);
