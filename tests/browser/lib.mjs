// Shared helpers for the browser specs: Debian's Chromium through playwright-core (no browser
// download), the service's mail folder, screenshots, plain assertions.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const env = {
  base: required("BASE_URL"),
  dataDir: required("DATA_DIR"),
  artifacts: process.env.ARTIFACTS_DIR || "target/browser-artifacts",
  reviewer: process.env.REVIEWER || "",
  reviewerPassword: process.env.REVIEWER_PASSWORD || "",
  rejectedPhoto: process.env.PHOTO_REJECTED || "",
  compliantPhoto: process.env.PHOTO_COMPLIANT || "",
};

function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} must be set`);
  return v;
}

export function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

export function log(...args) {
  console.log("[browser]", ...args);
}

export async function launch() {
  // launch() gives every run a fresh temporary profile (user-data dir) of its own.
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/// A phone: small screen, touch, a mobile user agent (the pages then offer the camera).
export async function phone(browser, extra = {}) {
  const ctx = await browser.newContext({
    viewport: { width: 360, height: 780 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    userAgent: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
    locale: "ja-JP",
    ...extra,
  });
  ctx.setDefaultTimeout(30000);
  return ctx;
}

let shot = 0;
export async function screenshot(page, name) {
  fs.mkdirSync(env.artifacts, { recursive: true });
  shot += 1;
  const file = path.join(env.artifacts, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log("screenshot", file);
}

export function setShotPrefix(n) {
  shot = n;
}

const DECODE = `import sys,email,email.policy
m=email.message_from_bytes(sys.stdin.buffer.read(),policy=email.policy.default)
print('To:',m['to']);print('Subject:',m['subject'])
b=m.get_body(preferencelist=('plain',));print(b.get_content() if b else '')`;

/// The decoded mails (quoted-printable / base64) sent to `to`, oldest first.
export function mailsTo(to) {
  const dir = path.join(env.dataDir, "mail");
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .filter((f) => f.endsWith(".eml"))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs)
    .map((f) => execFileSync("python3", ["-c", DECODE], { input: fs.readFileSync(f) }).toString())
    .filter((m) => m.includes(to));
}

/// Waits for the n-th mail to `to` containing `needle`; returns it.
export async function waitMail(to, needle, n = 1) {
  const deadline = Date.now() + 30000;
  for (;;) {
    const found = mailsTo(to).filter((m) => m.includes(needle));
    if (found.length >= n) return found[n - 1];
    if (Date.now() > deadline) throw new Error(`no mail to ${to} with ${needle}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function linkIn(mail) {
  const m = mail.match(/https?:\/\/\S+\/apply\/link\/[0-9a-f]+/);
  assert(m, `a one-time link in the mail: ${mail}`);
  return m[0];
}

/// Runs a spec; prints one closing line and sets the exit code.
export async function run(name, body) {
  let browser;
  try {
    browser = await launch();
    await body(browser);
    log(`${name}: passed`);
  } catch (e) {
    console.error(`[browser] ${name}: FAILED:`, e && e.stack ? e.stack : e);
    process.exitCode = 1;
  } finally {
    if (browser) await browser.close();
  }
}

const AXE = fs.readFileSync(new URL("./node_modules/axe-core/axe.min.js", import.meta.url), "utf8");

/// WCAG 2.1 A and AA violations on the page, by axe-core (injected through the DevTools protocol,
/// which the page's CSP does not govern).
export async function axeViolations(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  return result.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help} -- ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}
