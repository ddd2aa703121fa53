// The reviewer console: sign-in, the queue with filters and keyboard, an item with photo,
// overlay, measurements and history, accepting despite the machine with a reason, the
// applicant's status changing, and the dashboard counting the override.
import { env, assert, log, screenshot, run, setShotPrefix } from "./lib.mjs";

const FORM_ID = process.env.REJECTED_FORM_ID;
const DOB = process.env.REJECTED_DOB;
const TAIL = "…" + FORM_ID.slice(-4);

async function statusOf(page) {
  await page.goto(`${env.base}/status`);
  await page.fill("#form_id", FORM_ID);
  await page.fill("#date_of_birth", DOB);
  await page.click("#main-form button.primary");
  await page.waitForSelector("#status-state");
  return page.getAttribute("#status-state", "data-state");
}

setShotPrefix(60);
await run("reviewer", async (browser) => {
  const applicant = await browser.newContext({ locale: "en-US" });
  const ap = await applicant.newPage();
  const before = await statusOf(ap);
  assert(before === "auto_rejected", `rejected by the machine first, got ${before}`);

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  ctx.setDefaultTimeout(30000);
  const page = await ctx.newPage();
  await page.goto(`${env.base}/console`);
  await page.waitForURL(/\/console\/login$/);
  await page.fill("#name", env.reviewer);
  await page.fill("#password", "wrong password!!");
  await page.click("main button[type=submit]");
  assert(await page.locator(".notice.error").isVisible(), "wrong password refused");
  await page.fill("#password", env.reviewerPassword);
  await screenshot(page, "console-login");
  await page.click("main button[type=submit]");
  await page.waitForURL(/\/console$/);

  const row = page.locator("#queue tbody tr", { hasText: TAIL });
  assert(await row.count() === 1, "the rejected application is in the queue");
  const flagged = (await row.locator("td").nth(3).textContent()).trim().split(/\s+/);
  log("flagged rules:", flagged.join(" "));
  await screenshot(page, "console-queue");

  // Filters: by one of its rules and its channel it stays; another channel hides it.
  await page.selectOption("#rule", flagged[0]);
  await page.selectOption("#channel", "smartphone");
  await page.click("#filters button");
  await page.waitForURL(/channel=smartphone/);
  assert(await page.locator("#queue tbody tr", { hasText: TAIL }).count() === 0, "other channel filtered out");
  await page.selectOption("#channel", "booth");
  await page.click("#filters button");
  await page.waitForURL(/channel=booth/);
  assert(await page.locator("#queue tbody tr", { hasText: TAIL }).count() === 1, "rule and channel filter");

  // Keyboard: j selects the first (oldest) row, Enter opens it.
  await page.keyboard.press("j");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/console\/items\//);
  await page.waitForFunction(() => {
    const i = document.getElementById("img-overlay");
    return i && i.complete && i.naturalWidth > 0;
  }, null, { timeout: 90000 });
  assert(await page.locator("#findings tbody tr").count() > 5, "measurements against thresholds");
  assert(await page.locator("#findings tbody tr.st-fail").count() >= 1, "failing rules highlighted");
  assert(await page.locator("#history tbody tr").count() >= 3, "history");
  // Every rule a retake can name, the file rules (F4-F7) too.
  for (const r of ["F4", "F5", "F6", "F7", "P1", "P20"]) {
    assert(await page.locator(`input[name=rules][value=${r}]`).count() === 1, `${r} can be a retake reason`);
  }
  // The 判定 (status) words stay whole: each cell one line high.
  const heights = await page.locator("#findings tbody td:nth-child(2)").evaluateAll((l) => l.map((e) => e.getBoundingClientRect().height));
  const rowH = await page.locator("#findings tbody th").first().evaluate((e) => e.getBoundingClientRect().height);
  assert(heights.every((h) => h <= rowH + 1), `status cells on one line: ${heights}`);
  const itemUrl = page.url();
  await screenshot(page, "console-item");

  // An empty reason is refused (the browser's own check is bypassed to test the server).
  await page.$eval("#reason", (e) => e.removeAttribute("required"));
  await page.click("#accept-button");
  await page.waitForSelector(".notice.error");
  assert((await page.getAttribute("#item-state", "data-state")) === "auto_rejected", "nothing decided without a reason");

  // a: focus the reason; accept despite the machine.
  await page.keyboard.press("a");
  assert(await page.evaluate(() => document.activeElement.id) === "reason", "a focuses the reason");
  await page.keyboard.type("Religious head covering, face fully visible; hat rule misfires on it.");
  await page.click("#accept-button");
  await page.waitForURL(/decided=1/);
  await screenshot(page, "console-decided");

  // The history names the reviewer, and speaks the page's language.
  await page.goto(itemUrl);
  await page.click("button[name=_lang][value=ja]");
  await page.waitForSelector("#history");
  const hist = await page.textContent("#history tbody");
  assert(hist.includes(env.reviewer), `the reviewer's name in the history: ${hist}`);
  assert(hist.includes("審査担当者が受理") && hist.includes("機械判定"), `history in Japanese: ${hist}`);
  assert(!/reviewer_accepted|photo_vetted/.test(hist), `no event codes: ${hist}`);
  await screenshot(page, "console-history-ja");
  await page.click("button[name=_lang][value=en]");

  const after = await statusOf(ap);
  log("applicant's status after the override:", after);
  assert(after === "accepted" || after === "forwarded", `accepted after the override, got ${after}`);
  await screenshot(ap, "status-after-override");

  await page.goto(`${env.base}/console/dashboard`);
  assert(Number(await page.textContent("#overrides-total")) >= 1, "override counted");
  assert(await page.locator("#overrides tbody tr").count() >= 1, "overrides by rule");
  assert(await page.locator("#rejections tbody tr").count() >= 1, "rejections by rule");
  await screenshot(page, "console-dashboard");

  await page.click(".console-nav button");
  await page.waitForURL(/\/console\/login$/);
  await page.goto(`${env.base}/console`);
  await page.waitForURL(/\/console\/login$/);
  await ctx.close();
  await applicant.close();
});
