// Audit several pages with Lighthouse in one Node process and one headless Chromium.
//
// Usage: node lighthouse_pages.mjs < job.json, where the job is
//   {"chrome": "/path/to/chromium", "flags": {...Lighthouse flags...},
//    "pages": [{"url": "http://...", "out": "/path/report.json"}, ...]}
// Each page's report is written to its "out" file as JSON. Starting Node, Lighthouse's
// settings and the browser once for all the pages, instead of once per page, saves about two
// seconds of processor time a page.
import fs from 'node:fs';

import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const job = JSON.parse(fs.readFileSync(0, 'utf8'));
const chrome = await chromeLauncher.launch({
  chromePath: job.chrome,
  chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu'],
});
try {
  for (const page of job.pages) {
    let result;
    try {
      result = await lighthouse(page.url, {...job.flags, port: chrome.port, output: 'json'});
    } catch (error) {
      console.error(`Lighthouse failed on ${page.url}: ${error.message}`);
      process.exitCode = 1;
      break;
    }
    fs.writeFileSync(page.out, result.report);
  }
} finally {
  await chrome.kill();
}
