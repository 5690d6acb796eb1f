// Accessibility scans of the page as it stands, with axe-core (npm), injected into the page from
// tests/e2e/node_modules: no network, no browser extension.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** The rule sets run: WCAG 2.0 and 2.1, levels A and AA, and axe's best practices. */
export const axeTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

/**
 * Whether a violation fails the test: every one, whatever axe rates its impact. The dashboard has
 * none, of any impact, and must keep it so; a rule that should not apply is to be argued in the
 * code (with the rule's id), not dropped here.
 */
export function isBlocking(v) {
  return Boolean(v);
}

/**
 * Runs axe on `page` once its transitions and finite animations are over (a dialog fading in
 * would be measured half transparent). Returns the violations as
 * `{ id, impact, help, targets: [css selector, ...] }` and `checked`, how many rules found
 * something to check, so that a scan of an empty page cannot pass unnoticed.
 */
export async function scanPage(page) {
  await page.waitForFunction(
    () => document.getAnimations().every((a) => a.playState !== "running" ||
                                               a.effect?.getTiming().iterations === Infinity),
    null, { timeout: 5000 });
  // Evaluated over the DevTools protocol, not added as a <script>: the gateway's Content Security
  // Policy (rightly) refuses inline scripts. A navigation (page.goto) drops it; a click of the
  // single-page app keeps it.
  if (!(await page.evaluate(() => typeof window.axe === "object"))) {
    await page.evaluate(axeSource);
  }
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: tags },
      resultTypes: ["violations"],
    });
    return {
      checked: result.passes.length + result.violations.length,
      contrastChecked: [...result.passes, ...result.violations].some((r) => r.id === "color-contrast"),
      violations: result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map((n) => n.target.join(" ")),
      })),
    };
  }, axeTags);
}

/** One violation, its nodes one a line, as the test prints it. */
export function describeViolation(v) {
  return [`${v.id} (${v.impact}): ${v.help} [${v.targets.length} node(s)]`,
          ...v.targets.map((t) => `    ${t}`)].join("\n");
}
