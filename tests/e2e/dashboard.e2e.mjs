// The dashboard end to end in Debian's Chromium (playwright-core, no downloaded browser), against
// a real gateway and app operator on the local control plane (tests/e2e/run.sh starts them).
//   MCM_E2E_URL, MCM_E2E_PASSWORD, MCM_E2E_OUT (screenshots, downloads) come from run.sh.
// Prints "N passed, N failed" last; exits non-zero when a step failed.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";

const base = process.env.MCM_E2E_URL;
const password = process.env.MCM_E2E_PASSWORD;
const out = process.env.MCM_E2E_OUT;
mkdirSync(out, { recursive: true });

let passed = 0;
let failed = 0;
const consoleErrors = [];

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}: ${error.message}`);
    await page.screenshot({ path: path.join(out, `failure-${passed + failed}.png`), fullPage: true }).catch(() => {});
  }
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
const page = await context.newPage();
page.on("console", (message) => {
  // A 401 before logging in is the session check doing its job, not an error of the page.
  if (message.type() === "error" && !/status of 401/.test(message.text())) {
    consoleErrors.push(message.text());
  }
});
page.on("pageerror", (error) => consoleErrors.push(String(error)));

const tile = (type) => page.getByTestId(`app-tile-${type}`);
const halo = (type) => tile(type).getByTestId("app-halo");

await step("log in", async () => {
  await page.goto(base);
  await page.locator('input[name="username"]').fill("admin");
  await page.locator('input[name="password"]').fill(password);
  await page.screenshot({ path: path.join(out, "login.png") });
  await page.locator('button[type="submit"]').click();
  await page.getByTestId("app-tile-zabbix").waitFor({ timeout: 15000 });
});

await step("see the seven catalog tiles and the local-mode banner", async () => {
  for (const type of ["zabbix", "graylog", "rundeck", "clamav-mirror", "artifactory", "ntp", "duplicity"]) {
    await tile(type).waitFor({ timeout: 5000 });
  }
  check((await page.locator('[data-testid^="app-tile-"]').count()) === 7, "seven tiles");
  await page.getByTestId("local-mode-banner").waitFor({ timeout: 5000 });
  await page.screenshot({ path: path.join(out, "apps.png"), fullPage: true });
});

await step("start an app: its halo goes yellow, then green", async () => {
  // Record every phase the halo shows, so a short Installing is not missed.
  await page.evaluate(() => {
    window.__phases = [];
    const record = () => {
      const el = document.querySelector('[data-testid="app-tile-ntp"] [data-testid="app-halo"]');
      const phase = el && el.getAttribute("data-phase");
      if (phase && window.__phases[window.__phases.length - 1] !== phase) window.__phases.push(phase);
    };
    record();
    new MutationObserver(record).observe(document.body, { subtree: true, attributes: true, childList: true });
  });
  await tile("ntp").getByTestId("app-start").click();
  await page.waitForFunction(() => window.__phases.includes("Running"), null, { timeout: 60000 });
  const phases = await page.evaluate(() => window.__phases);
  check(phases.indexOf("Installing") >= 0 && phases.indexOf("Installing") < phases.indexOf("Running"),
        `phases seen: ${phases.join(" -> ")}`);
  await tile("ntp").getByTestId("app-stop").waitFor({ timeout: 5000 });
  await page.screenshot({ path: path.join(out, "apps-running.png"), fullPage: true });
});

await step("change a setting, with the schema's validation first", async () => {
  await tile("ntp").getByTestId("app-settings").click();
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  await page.screenshot({ path: path.join(out, "settings-infos.png") });
  await dialog.getByTestId("tab-parameters").click();
  const timezone = dialog.locator('[name="timezone"]');
  await timezone.fill("not a zone!");
  await dialog.getByTestId("settings-save").click();
  await dialog.getByTestId("field-error-timezone").waitFor({ timeout: 5000 });
  await timezone.fill("Europe/Paris");
  await dialog.getByTestId("settings-save").click();
  await page.waitForFunction(async () => {
    const response = await fetch("/api/v1/apps/ntp");
    return (await response.json()).settings?.timezone === "Europe/Paris";
  }, null, { timeout: 10000, polling: 250 });
  await page.screenshot({ path: path.join(out, "settings-parameters.png") });
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached", timeout: 5000 });
});

await step("switch to French", async () => {
  const english = await page.getByTestId("nav-apps").innerText();
  await page.getByTestId("language-switch").selectOption("fr");
  await page.waitForFunction(() => document.documentElement.lang === "fr");
  const french = await page.getByTestId("nav-apps").innerText();
  check(french !== english || (await page.getByTestId("nav-audit").innerText()) !== "Audit trail",
        `the menu is still "${english}"`);
  await page.screenshot({ path: path.join(out, "apps-fr.png"), fullPage: true });
});

await step("the audit page lists the actions and exports them to a real xlsx", async () => {
  await page.getByTestId("nav-audit").click();
  await page.getByTestId("audit-row").first().waitFor({ timeout: 10000 });
  check((await page.getByTestId("audit-row").count()) > 0, "audit rows");
  await page.screenshot({ path: path.join(out, "audit.png"), fullPage: true });
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("export-xlsx").click(),
  ]);
  const file = path.join(out, "audit.xlsx");
  await download.saveAs(file);
  // Read it back with openpyxl (Debian's python3-openpyxl).
  const rows = JSON.parse(execFileSync("/usr/bin/python3", ["-c", `
import json, sys, openpyxl
sheet = openpyxl.load_workbook(sys.argv[1]).active
rows = list(sheet.iter_rows(values_only=True))
print(json.dumps({"header": list(rows[0]), "actions": [r[2] for r in rows[1:]],
                  "targets": [r[4] for r in rows[1:]], "time_type": type(rows[1][0]).__name__}))
`, file]).toString());
  check(rows.header[2] === "Action", `header ${rows.header}`);
  check(rows.time_type === "datetime", `time column is ${rows.time_type}`);
  check(rows.actions.some((a, i) => a === "app.start" && rows.targets[i] === "ntp"), "app.start of ntp exported");
  check(rows.actions.includes("app.settings.update"), "settings change exported");
});

await step("works at a phone's width", async () => {
  await page.setViewportSize({ width: 375, height: 780 });
  await page.goto(base);
  await tile("ntp").waitFor({ timeout: 10000 });
  const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `the page is ${overflow}px wider than the screen`);
  await page.screenshot({ path: path.join(out, "apps-phone.png"), fullPage: true });
});

await step("no console errors", async () => {
  check(consoleErrors.length === 0, consoleErrors.join(" | "));
});

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
