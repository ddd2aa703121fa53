// Age 0 without JavaScript: the photo step is skipped with an explanation, a date of birth of
// one year or more is refused on that path, and the application completes without a photo.
import { env, assert, phone, screenshot, waitMail, linkIn, run, setShotPrefix } from "./lib.mjs";

const FORM_ID = process.env.FORM_ID || "10000000000000000000202";
const EMAIL = process.env.EMAIL || `baby.${Date.now()}@example.jp`;

function isoDaysAgo(days) {
  // Japan's date: the service judges ages on it.
  const d = new Date(Date.now() + 9 * 3600 * 1000 - days * 86400 * 1000);
  return d.toISOString().slice(0, 10);
}

setShotPrefix(40);
await run("age0", async (browser) => {
  const ctx = await phone(browser, { javaScriptEnabled: false, locale: "en-GB" });
  const page = await ctx.newPage();
  await page.goto(`${env.base}/apply`);
  assert((await page.getAttribute("html", "lang")) === "en", "English from the browser");
  await page.fill("#form_id", FORM_ID);
  await page.fill("#name", "Parent of Baby");
  await page.fill("#email", EMAIL);
  await page.click("#main-form button.primary");
  await page.waitForURL(/\/apply\/sent$/);
  await page.goto(linkIn(await waitMail(EMAIL, "/apply/link/")));
  await page.click("main button[type=submit]");
  await page.waitForURL(/\/apply\/photo$/);
  await screenshot(page, "age0-photo-step");
  await page.click("#no-photo");
  await page.waitForURL(/\/apply\/details$/);
  assert(await page.locator(".notice.info").isVisible(), "explanation of the skipped photo");

  // One year or older needs the photo.
  await page.fill("#date_of_birth", "2000-01-01");
  await page.click("#main-form button.primary");
  await page.waitForSelector("#date_of_birth-error");
  await screenshot(page, "age0-too-old");

  await page.fill("#date_of_birth", isoDaysAgo(120));
  await page.click("#main-form button.primary");
  await page.waitForURL(/\/apply\/confirm$/);
  await screenshot(page, "age0-confirm");
  await page.click("#submit");
  await page.waitForURL(/\/apply\/done$/);
  const state = await page.getAttribute("#summary", "data-state");
  assert(state === "accepted" || state === "forwarded", `age 0 accepted without a photo, got ${state}`);
  await screenshot(page, "age0-done");
  await ctx.close();
});
