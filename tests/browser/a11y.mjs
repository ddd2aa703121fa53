// Accessibility: axe-core finds no WCAG 2.1 A/AA violation on any applicant or console page, in
// Japanese and English, at 320 px and 1280 px wide.
import { env, assert, log, screenshot, waitMail, linkIn, run, setShotPrefix, axeViolations } from "./lib.mjs";

const FORM_ID = process.env.FORM_ID;
const EMAIL = process.env.EMAIL;

const problems = [];
async function check(page, what) {
  const v = await axeViolations(page);
  if (v.length) problems.push(`${what} [${page.url()}]:\n  ${v.join("\n  ")}`);
}

async function signIn(page, formId, email, n = 1) {
  await page.goto(`${env.base}/apply?id=${formId}`);
  await page.fill("#name", "Aiko Tanaka");
  await page.fill("#email", email);
  await page.click("#main-form button.primary");
  await page.waitForURL(/\/apply\/sent$/);
  const link = linkIn(await waitMail(email, "/apply/link/", n));
  await page.goto(link);
  return link;
}

setShotPrefix(110);
await run("a11y", async (browser) => {
  let mails = 0;
  for (const width of [320, 1280]) {
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: "ja-JP" });
    ctx.setDefaultTimeout(30000);
    const page = await ctx.newPage();
    mails += 1;
    await signIn(page, FORM_ID, EMAIL, mails);
    await page.click("main button[type=submit]");
    await page.waitForURL(/\/apply\/photo$/);
    if (width === 320) {
      await page.setInputFiles("#photo-file", env.rejectedPhoto);
      await page.waitForSelector("#verdict .verdict", { timeout: 90000 });
    }
    for (const lang of ["ja", "en"]) {
      await ctx.addCookies([{ name: "lang", value: lang, url: env.base }]);
      for (const path of ["/", "/apply", "/apply/sent", "/apply/photo", "/apply/details", "/status", "/no-such-page"]) {
        await page.goto(`${env.base}${path}`);
        await check(page, `${lang} ${width}px ${path}`);
      }
      // The status answer and an entry error.
      await page.goto(`${env.base}/status`);
      await page.fill("#form_id", "123");
      await page.click("#main-form button.primary");
      await page.waitForSelector(".error, #status-next");
      await check(page, `${lang} ${width}px /status with an error`);
    }
    // The console.
    const c = await browser.newContext({ viewport: { width, height: 900 }, locale: "ja-JP" });
    const cp = await c.newPage();
    for (const lang of ["ja", "en"]) {
      await c.addCookies([{ name: "lang", value: lang, url: env.base }]);
      await cp.goto(`${env.base}/console/login`);
      await check(cp, `${lang} ${width}px /console/login`);
      if (lang === "ja") {
        await cp.fill("#name", env.reviewer);
        await cp.fill("#password", env.reviewerPassword);
        await cp.click("main button[type=submit]");
        await cp.waitForURL(/\/console$/);
      }
      await cp.goto(`${env.base}/console`);
      await check(cp, `${lang} ${width}px /console`);
      const open = cp.locator("#queue tbody tr a").first();
      if (await open.count()) {
        await open.click();
        await cp.waitForURL(/\/console\/items\//);
        await check(cp, `${lang} ${width}px console item`);
      }
      await cp.goto(`${env.base}/console/dashboard`);
      await check(cp, `${lang} ${width}px /console/dashboard`);
    }
    await c.close();
    await ctx.close();
  }
  if (problems.length) log("axe:\n" + problems.join("\n"));

  // The whole applicant flow by keyboard only: Tab to each control, type, Enter or Space. (The
  // file dialog is the system's: the file is set on the focused control, as the dialog would.)
  const kctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  kctx.setDefaultTimeout(30000);
  const k = await kctx.newPage();
  async function tabTo(selector) {
    for (let i = 0; i < 80; i++) {
      await k.keyboard.press("Tab");
      if (await k.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
    }
    throw new Error(`Tab never reached ${selector} on ${k.url()}`);
  }
  await k.goto(`${env.base}/apply?id=${process.env.KEY_FORM_ID}`);
  await tabTo("#name");
  await k.keyboard.type("Keyboard Only");
  await tabTo("#email");
  await k.keyboard.type(process.env.KEY_EMAIL);
  await k.keyboard.press("Enter");
  await k.waitForURL(/\/apply\/sent$/);
  await k.goto(linkIn(await waitMail(process.env.KEY_EMAIL, "/apply/link/")));
  await tabTo("main button[type=submit]");
  await k.keyboard.press("Enter");
  await k.waitForURL(/\/apply\/photo$/);
  await tabTo("#photo-file");
  // A photo the machine rejects, sent on for a person to check (the longer path).
  await k.setInputFiles("#photo-file", env.rejectedPhoto);
  await k.waitForSelector("#verdict .verdict[data-verdict=reject]", { timeout: 90000 });
  await tabTo("details.anyway summary");
  await k.keyboard.press("Enter");
  await tabTo("#submit-anyway");
  await k.keyboard.press("Enter");
  await k.waitForURL(/\/apply\/details$/);
  await tabTo("#date_of_birth");
  await k.keyboard.type("04011990");
  assert((await k.inputValue("#date_of_birth")) === "1990-04-01", `date typed: ${await k.inputValue("#date_of_birth")}`);
  await tabTo("#main-form button.primary");
  await k.keyboard.press("Enter");
  await k.waitForURL(/\/apply\/confirm$/);
  await tabTo("main form button.primary, main button.primary");
  await k.keyboard.press("Enter");
  await k.waitForURL(/\/apply\/done$/);
  // The done page says a person will check, and offers a new photo (the status lookup says
  // the same: next step wait_for_review, tested in application::next_step).
  assert((await k.getAttribute("#summary", "data-state")) === "auto_rejected", "sent on for a person");
  assert((await k.textContent(".next-step")).includes("A person will check"), "done: a person will check");
  assert(await k.locator("a[href='/apply/photo']").count() === 1, "done: a link to take a new photo");
  await screenshot(k, "keyboard-done");
  log("keyboard-only application completed");
  await kctx.close();
  assert(problems.length === 0, `${problems.length} pages with WCAG 2.1 A/AA violations`);
});
