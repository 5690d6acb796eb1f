// The dashboard end to end in Debian's Chromium (playwright-core, no downloaded browser), against
// a real gateway, app operator, instance operator and task runner on the local control plane
// (tests/e2e/run.sh starts them, with one Instance, e2e-1, that nothing answers for over SSH).
//   MCM_E2E_URL, MCM_E2E_PASSWORD, MCM_E2E_OUT (screenshots, downloads) come from run.sh.
// Every view it takes a screenshot of is also scanned with axe-core (accessibility.mjs).
// Prints "N passed, N failed" last; exits non-zero when a step failed.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { describeViolation, isBlocking, scanPage } from "./accessibility.mjs";

const base = process.env.MCM_E2E_URL;
const password = process.env.MCM_E2E_PASSWORD;
const out = process.env.MCM_E2E_OUT;
mkdirSync(out, { recursive: true });

let passed = 0;
let failed = 0;
const consoleErrors = [];
// Each view's accessibility scan: { name, viewport, checked, contrastChecked, violations }.
const scans = [];

/** `text` as a literal inside a regular expression. */
function escaped(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

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
const context = await browser.newContext({
  viewport: { width: 1280, height: 860 },
  acceptDownloads: true,
  permissions: ["clipboard-read", "clipboard-write"],
});
const page = await context.newPage();
page.on("console", (message) => {
  // A 401 before logging in is the session check doing its job, not an error of the page.
  if (message.type() === "error" && !/status of 401/.test(message.text())) {
    consoleErrors.push(message.text());
  }
});
page.on("pageerror", (error) => consoleErrors.push(String(error)));

// Once the page's CSS transitions (such as the menu turning into a drawer) are over; the endless
// animations (spinners, the live dot) do not count.
const settled = () => page.waitForFunction(
  () => document.getAnimations().every((a) => !(a instanceof CSSTransition) || a.playState !== "running"),
  null, { timeout: 5000 });

// Every value `attribute` of the element at `selector` takes from now on, in window[key].
const recordChanges = (key, selector, attribute) => page.evaluate(([key, selector, attribute]) => {
  window[key] = [];
  const record = () => {
    const value = document.querySelector(selector)?.getAttribute(attribute);
    if (value && window[key][window[key].length - 1] !== value) window[key].push(value);
  };
  record();
  new MutationObserver(record).observe(document.body, { subtree: true, attributes: true, childList: true });
}, [key, selector, attribute]);

/** Scans the page as it stands for accessibility (printing what axe finds), then saves a screenshot
 * of it as `<name>.png`. A scan that cannot run is recorded, not thrown: the step goes on, and the
 * accessibility step fails. */
async function look(name, screenshot = {}) {
  const { width, height } = page.viewportSize();
  const viewport = `${width}x${height}`;
  let scan;
  try {
    scan = await scanPage(page);
  } catch (error) {
    scan = { error: error.message.split("\n")[0], violations: [] };
    console.log(`     axe ${name} at ${viewport}: the scan did not run: ${scan.error}`);
  }
  scans.push({ name, viewport, ...scan });
  for (const violation of scan.violations) {
    const level = isBlocking(violation) ? "axe" : "axe (not failing)";
    console.log(`     ${level} ${name} at ${width}x${height}: ${describeViolation(violation)}`
      .replaceAll("\n", "\n     "));
  }
  await page.screenshot({ path: path.join(out, `${name}.png`), ...screenshot });
}

const tile = (type) => page.getByTestId(`app-tile-${type}`);
const halo = (type) => tile(type).getByTestId("app-halo");

await step("log in", async () => {
  await page.goto(base);
  await page.locator('input[name="username"]').fill("admin");
  await page.locator('input[name="password"]').fill(password);
  await look("login");
  await page.locator('button[type="submit"]').click();
  await page.getByTestId("app-tile-zabbix").waitFor({ timeout: 15000 });
});

await step("see the seven catalog tiles and the local-mode banner", async () => {
  for (const type of ["zabbix", "graylog", "rundeck", "clamav-mirror", "artifactory", "ntp", "duplicity"]) {
    await tile(type).waitFor({ timeout: 5000 });
  }
  check((await page.locator('[data-testid^="app-tile-"]').count()) === 7, "seven tiles");
  await page.getByTestId("local-mode-banner").waitFor({ timeout: 5000 });
  await look("apps", { fullPage: true });
});

await step("the side menu runs the whole height of a page longer than the window", async () => {
  const scrollable = await page.evaluate(() => document.scrollingElement.scrollHeight - window.innerHeight);
  check(scrollable > 0, `the Apps page fits in the window (scrollHeight - innerHeight = ${scrollable}px)`);
  try {
    await page.evaluate(() => window.scrollTo(0, document.scrollingElement.scrollHeight));
    const seen = await page.evaluate(() => {
      const box = (selector) => document.querySelector(selector).getBoundingClientRect();
      const sidebar = box("#sidebar");
      return {
        scrollY: window.scrollY,
        page: document.scrollingElement.scrollHeight,
        window: window.innerHeight,
        topbar: box(".topbar").bottom,
        // Where the menu's box starts and ends in the page, not in the window.
        top: sidebar.top + window.scrollY,
        bottom: sidebar.bottom + window.scrollY,
        visibleBottom: sidebar.bottom,
        background: getComputedStyle(document.querySelector("#sidebar")).backgroundColor,
        body: getComputedStyle(document.body).backgroundColor,
        firstEntry: box('[data-testid="nav-apps"]').top,
      };
    });
    check(seen.scrollY >= scrollable - 1, `scrolled to ${seen.scrollY} of ${scrollable}`);
    check(seen.background !== seen.body && !/rgba\(0, 0, 0, 0\)|transparent/.test(seen.background),
          `the menu's background (${seen.background}) is not its own`);
    check(seen.top <= seen.topbar + 1 && seen.bottom >= seen.page - 1,
          `the menu's background covers ${seen.top}-${seen.bottom}px of a ${seen.page}px page`);
    check(seen.visibleBottom >= seen.window - 1,
          `at the bottom of the page the menu ends ${seen.window - seen.visibleBottom}px above the window's edge`);
    check(seen.firstEntry >= seen.topbar && seen.firstEntry < seen.window / 2,
          `scrolled down, the menu's first entry is at ${seen.firstEntry}px, out of view`);
    await page.screenshot({ path: path.join(out, "apps-scrolled.png") });
  } finally {
    await page.evaluate(() => window.scrollTo(0, 0));
  }
});

await step("start an app: its halo goes yellow, then green", async () => {
  // Record every phase the halo shows, so a short Installing is not missed.
  await recordChanges("__phases", '[data-testid="app-tile-ntp"] [data-testid="app-halo"]', "data-phase");
  await tile("ntp").getByTestId("app-start").click();
  await page.waitForFunction(() => window.__phases.includes("Running"), null, { timeout: 60000 });
  const phases = await page.evaluate(() => window.__phases);
  check(phases.indexOf("Installing") >= 0 && phases.indexOf("Installing") < phases.indexOf("Running"),
        `phases seen: ${phases.join(" -> ")}`);
  await tile("ntp").getByTestId("app-stop").waitFor({ timeout: 5000 });
  await look("apps-running", { fullPage: true });
});

await step("change a setting, with the schema's validation first", async () => {
  await tile("ntp").getByTestId("app-settings").click();
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  await look("settings-infos");
  await dialog.getByTestId("tab-parameters").click();
  const timezone = dialog.locator('[name="timezone"]');
  await timezone.fill("not a zone!");
  await dialog.getByTestId("settings-save").click();
  await dialog.getByTestId("field-error-timezone").waitFor({ timeout: 5000 });
  await look("settings-invalid");
  await timezone.fill("Europe/Paris");
  await dialog.getByTestId("settings-save").click();
  await page.waitForFunction(async () => {
    const response = await fetch("/api/v1/apps/ntp");
    return (await response.json()).settings?.timezone === "Europe/Paris";
  }, null, { timeout: 10000, polling: 250 });
  await look("settings-parameters");
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached", timeout: 5000 });
});

await step("add an instance: the enrollment command and the cloud-init snippet", async () => {
  await page.getByTestId("nav-instances").click();
  await page.getByTestId("agents-e2e-1").waitFor({ timeout: 10000 });
  await page.getByTestId("add-instance").click();
  const dialog = page.getByTestId("add-instance-dialog");
  await dialog.waitFor();
  // The network of the enrolled instance is offered; typing it works the same.
  await dialog.locator('datalist option[value="net-a"]').waitFor({ state: "attached", timeout: 10000 });
  await dialog.locator('[name="network"]').fill("net-a");
  await dialog.getByTestId("enroll-submit").click();
  await dialog.getByTestId("enroll-result").waitFor({ timeout: 10000 });
  const command = await dialog.getByTestId("enroll-command").innerText();
  const cloudInit = await dialog.getByTestId("enroll-cloud-init").innerText();
  const shape = new RegExp(`^curl -fsSL '${escaped(base)}/enroll\\.sh' \\| sudo sh -s -- ` +
                           `--gateway '${escaped(base)}' --token '([^' ]+)'$`);
  const token = command.match(shape)?.[1];
  check(token, `command: ${command}`);
  check(cloudInit.startsWith("#cloud-config\nruncmd:\n"), `cloud-init: ${cloudInit}`);
  check(cloudInit.includes(`curl -fsSL '${base}/enroll.sh' | sh -s -- --gateway '${base}' --token '${token}'`),
        `cloud-init: ${cloudInit}`);
  await dialog.getByTestId("copy-cloud-init").waitFor();
  await dialog.getByTestId("copy-command").click();
  await page.waitForFunction(async (text) => (await navigator.clipboard.readText()) === text, command,
                             { timeout: 5000, polling: 100 });
  await look("instances-add");
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached", timeout: 5000 });
});

await step("install an agent: its icon turns busy", async () => {
  const agent = page.getByTestId("agents-e2e-1").getByTestId("agent-ntp");
  check((await agent.getAttribute("aria-pressed")) === "false", "ntp is already wanted");
  await recordChanges("__tones", '[data-testid="agents-e2e-1"] [data-testid="agent-ntp"]', "data-tone");
  await agent.click();
  await page.waitForFunction(() => window.__tones.includes("busy"), null, { timeout: 5000 });
  check((await agent.getAttribute("aria-pressed")) === "true", "ntp is not shown as wanted");
  await look("instances-busy", { fullPage: true });
});

await step("the Tasks page shows the task and its live ansible output", async () => {
  // Every status the row shows, and how much output was there while it ran.
  await page.evaluate(() => {
    window.__task = [];
    const record = () => {
      const row = [...document.querySelectorAll('[data-testid="task-row"]')]
        .find((r) => r.textContent.includes("Install ntp on e2e-1"));
      const phase = row?.querySelector('[data-testid="task-status"]')?.getAttribute("data-phase");
      const output = document.querySelector('[data-testid="task-log-output"]');
      const log = output && !output.querySelector(".task-log__empty") ? output.textContent.length : 0;
      const last = window.__task[window.__task.length - 1];
      if (phase && (last?.phase !== phase || (phase === "Running" && last.log !== log))) {
        window.__task.push({ phase, log });
      }
    };
    new MutationObserver(record).observe(document.body, { subtree: true, attributes: true, childList: true,
                                                          characterData: true });
  });
  await page.getByTestId("nav-tasks").click();
  const row = page.getByTestId("task-row").filter({ hasText: "Install ntp on e2e-1" });
  await row.waitFor({ timeout: 30000 });
  const status = row.getByTestId("task-status");
  await status.waitFor();
  await row.getByTestId("task-toggle").click();
  const output = page.getByTestId("task-log-output");
  await output.waitFor({ timeout: 5000 });
  // ansible-playbook's own output, as the task runner writes it.
  await page.waitForFunction(() => /PLAY \[|UNREACHABLE|fatal:/.test(
    document.querySelector('[data-testid="task-log-output"]')?.textContent ?? ""), null, { timeout: 90000 });
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid="task-row"]')];
    const row = rows.find((r) => r.textContent.includes("Install ntp on e2e-1"));
    const phase = row?.querySelector('[data-testid="task-status"]')?.getAttribute("data-phase");
    return phase === "Failed" || phase === "Succeeded";
  }, null, { timeout: 90000 });
  const final = await status.getAttribute("data-phase");
  // The stream ends with the task, saying how it ended; the row's phase (from the event stream)
  // may come first, so the log is read once its own stream has ended.
  await page.waitForFunction((phase) => {
    const state = document.querySelector('[data-testid="task-log-state"]')?.textContent ?? "";
    return state.includes(phase);
  }, final, { timeout: 10000 });
  const log = await output.innerText();
  check(log.includes("PLAY ["), `no PLAY in the log: ${log.slice(0, 400)}`);
  if (final === "Failed") {
    check(/UNREACHABLE/.test(log), `failed, but not as unreachable: ${log.slice(-600)}`);
  }
  check(await status.getAttribute("aria-label"), "the status icon has no label");
  const seen = await page.evaluate(() => window.__task);
  console.log(`     status (bytes of log shown): ${seen.map((s) => `${s.phase} (${s.log})`).join(" -> ")}`);
  await look("tasks-log", { fullPage: true });
  await page.setViewportSize({ width: 375, height: 780 });
  try {
    await settled();
    const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, `the Tasks page is ${overflow}px wider than the screen`);
    // Narrower, the lines wrap: the view still shows the end, where the outcome is.
    const below = await output.evaluate((pre) => pre.scrollHeight - pre.scrollTop - pre.clientHeight);
    check(below <= 24, `the log's end is ${below}px below the view`);
    await look("tasks-log-phone", { fullPage: true });
  } finally {
    await page.setViewportSize({ width: 1280, height: 860 });
  }
});

await step("the instance shows the agent's outcome", async () => {
  await page.getByTestId("nav-instances").click();
  const agent = page.getByTestId("agents-e2e-1").getByTestId("agent-ntp");
  await page.waitForFunction(() => {
    const tone = document.querySelector('[data-testid="agents-e2e-1"] [data-testid="agent-ntp"]')
      ?.getAttribute("data-tone");
    return tone === "failed" || tone === "on";
  }, null, { timeout: 15000 });
  const tone = await agent.getAttribute("data-tone");
  if (tone === "failed") {
    const title = await agent.getAttribute("title");
    check(/UNREACHABLE/.test(title), `title: ${title}`);
  }
  await look("instances", { fullPage: true });
});

await step("switch to French", async () => {
  const english = await page.getByTestId("nav-apps").innerText();
  await page.getByTestId("language-switch").selectOption("fr");
  await page.waitForFunction(() => document.documentElement.lang === "fr");
  const french = await page.getByTestId("nav-apps").innerText();
  check(french !== english || (await page.getByTestId("nav-audit").innerText()) !== "Audit trail",
        `the menu is still "${english}"`);
  await look("apps-fr", { fullPage: true });
});

await step("the audit page lists the actions and exports them to a real xlsx", async () => {
  await page.getByTestId("nav-audit").click();
  await page.getByTestId("audit-row").first().waitFor({ timeout: 10000 });
  check((await page.getByTestId("audit-row").count()) > 0, "audit rows");
  await look("audit", { fullPage: true });
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

await step("the dark colour scheme", async () => {
  await page.emulateMedia({ colorScheme: "dark" });
  try {
    await page.waitForFunction(() => matchMedia("(prefers-color-scheme: dark)").matches);
    await look("audit-dark", { fullPage: true });
    await page.getByTestId("nav-apps").click();
    await tile("ntp").waitFor({ timeout: 10000 });
    await look("apps-dark", { fullPage: true });
  } finally {
    await page.emulateMedia({ colorScheme: "light" });
  }
});

await step("works at a phone's width", async () => {
  await page.setViewportSize({ width: 375, height: 780 });
  await page.goto(base);
  await tile("ntp").waitFor({ timeout: 10000 });
  const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `the page is ${overflow}px wider than the screen`);
  await look("apps-phone", { fullPage: true });
  // The menu, a drawer at this width.
  await page.locator('button[aria-controls="sidebar"]').click();
  await page.getByTestId("nav-apps").waitFor({ state: "visible", timeout: 5000 });
  await look("apps-phone-menu");
  await page.keyboard.press("Escape");
});

await step("no serious, critical or landmark accessibility violation on any view", async () => {
  check(scans.length > 0, "nothing was scanned");
  const broken = scans.filter((s) => s.error).map((s) => `${s.name}: ${s.error}`);
  check(broken.length === 0, `scans that did not run: ${broken.join(" | ")}`);
  const empty = scans.filter((s) => s.checked === 0 || !s.contrastChecked).map((s) => s.name);
  check(empty.length === 0, `axe checked no colour contrast on: ${empty.join(", ")}`);
  const blocking = scans.flatMap((s) => s.violations.filter(isBlocking)
    .map((v) => `${s.name} at ${s.viewport}: ${v.id} (${v.impact}, ${v.targets.length} node(s))`));
  console.log(`     ${scans.length} views scanned: ${scans.map((s) => `${s.name} ${s.viewport}`).join(", ")}`);
  check(blocking.length === 0, blocking.join(" | "));
});

await step("no console errors", async () => {
  check(consoleErrors.length === 0, consoleErrors.join(" | "));
});

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
