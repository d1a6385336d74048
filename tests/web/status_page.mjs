// The status-page test in a real browser (Chromium through playwright-core): the page
// lists the registered clients without JavaScript's help, shows a notification in its log
// without a reload, and a wrong token gets 404. Prints ok:/FAILED: lines; exit 1 on failure.
//
// usage: node status_page.mjs CHROMIUM STATUS_URL GO_FILE DONE_FILE SCREENSHOT
import { writeFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [chromiumPath, url, goFile, doneFile, screenshot] = process.argv.slice(2);
const fail = (text) => { console.log(`FAILED: ${text}`); process.exitCode = 1; };

const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu"] });
try {
  // Without JavaScript: the client list is in the HTML itself.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const p0 = await plain.newPage();
  await p0.goto(url);
  const names = await p0.$$eval("#clients td.name", (tds) => tds.map((t) => t.textContent));
  if (names.includes("status-alpha") && names.includes("status-beta")) {
    console.log(`ok: without JavaScript the page lists ${names.join(", ")}`);
  } else {
    fail(`clients listed: ${names.join(", ")}`);
  }
  await plain.close();

  // With JavaScript: the log follows the hub live.
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 700 } });
  const page = await ctx.newPage();
  let reloads = 0;
  page.on("framenavigated", (f) => { if (f === page.mainFrame()) reloads += 1; });
  await page.goto(url);
  await page.waitForTimeout(500);
  writeFileSync(goFile, "go\n");
  const row = page.locator("#log tbody tr", { hasText: "status.test" });
  try {
    await row.first().waitFor({ timeout: 15000 });
    const text = (await row.first().innerText()).replace(/\s+/g, " ");
    console.log(`ok: the log shows, without a reload (${reloads - 1} reloads): ${text}`);
    if (reloads !== 1) fail(`the page was reloaded ${reloads - 1} times`);
  } catch (e) {
    fail(`no status.test row in the log within 15 s: ${e.message.split("\n")[0]}`);
  }
  const counters = (await page.locator("#counters").innerText()).replace(/\s+/g, " ");
  console.log(`ok: counters: ${counters}`);
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`ok: screenshot ${screenshot}`);

  // A wrong token: 404, and nothing of the page.
  const wrong = url.replace(/[^/]+$/, "s:wrongtoken");
  const resp = await page.goto(wrong);
  const body = await page.content();
  if (resp.status() === 404 && !body.includes("status-alpha")) {
    console.log(`ok: a wrong token gets ${resp.status()} and reveals nothing`);
  } else {
    fail(`a wrong token got ${resp.status()}`);
  }
} finally {
  writeFileSync(doneFile, "done\n");
  await browser.close();
}
