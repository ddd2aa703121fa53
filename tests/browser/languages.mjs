// Every language, end to end in a browser: the home, photo (with a machine verdict, so the rule
// messages show) and status pages in each of the 13 languages, each with the right <html lang>,
// no missing text ("?") and words of its own; a screenshot of each (fonts from Debian render every
// script). Also the English step bar on one line at 390 px, and the rate-limit page's title.
import { env, assert, log, phone, screenshot, waitMail, linkIn, run, setShotPrefix } from "./lib.mjs";

const FORM_ID = process.env.FORM_ID || "10000000000000000000404";
const EMAIL = process.env.EMAIL || `lang.${Date.now()}@example.jp`;
const LANGS = ["ja", "ja-x-easy", "en", "zh-Hans", "vi", "ko", "fil", "pt-BR", "ne", "id", "my", "th", "es"];

/// Texts that are a bare "?" (what a missing catalogue key renders as), anywhere on the page.
async function missingTexts(page) {
  return page.evaluate(() => {
    const bad = [];
    if (document.title.trim().startsWith("?")) bad.push(`title: ${document.title}`);
    for (const el of document.querySelectorAll("body *")) {
      for (const n of el.childNodes) {
        if (n.nodeType === 3 && n.textContent.trim() === "?") bad.push(el.outerHTML.slice(0, 120));
      }
      for (const a of ["alt", "aria-label", "title", "placeholder", "value"]) {
        if (el.getAttribute(a) === "?") bad.push(el.outerHTML.slice(0, 120));
      }
    }
    return bad;
  });
}

async function checkPage(page, code, what, english) {
  const lang = await page.getAttribute("html", "lang");
  assert(lang === code, `${what}: <html lang=${lang}>, expected ${code}`);
  const missing = await missingTexts(page);
  assert(missing.length === 0, `${what} in ${code}: missing texts ${missing.join(" | ")}`);
  const h1 = (await page.textContent("h1")).trim();
  if (english && code !== "en") assert(h1 !== english, `${what} in ${code} has its own heading, not English: ${h1}`);
  return h1;
}

await run("languages", async (browser) => {
  setShotPrefix(40);
  const ctx = await phone(browser, { viewport: { width: 390, height: 844 }, locale: "en-US" });
  const page = await ctx.newPage();

  // A session with a rejected photo: step 1, the mail's link, the photo.
  await page.goto(`${env.base}/apply?id=${FORM_ID}`);
  assert((await page.getAttribute("html", "lang")) === "en", "the browser's English first");
  await page.fill("#name", "Nguyen Van An");
  await page.fill("#email", EMAIL);
  await page.click("#main-form button.primary");
  await page.waitForURL(/\/apply\/sent$/);
  await page.goto(linkIn(await waitMail(EMAIL, "/apply/link/")));
  await page.click("main button[type=submit]");
  await page.waitForURL(/\/apply\/photo$/);
  await page.setInputFiles("#photo-file", env.rejectedPhoto);
  await page.waitForSelector("#verdict .verdict[data-verdict=reject]", { timeout: 90000 });

  // The English step bar fits one line at 390 px.
  const tops = await page.locator(".steps li").evaluateAll((l) => l.map((e) => Math.round(e.getBoundingClientRect().top)));
  assert(tops.length === 4 && new Set(tops).size === 1, `English steps on one line at 390 px: ${tops}`);
  // Applicants read words, not rule ids.
  assert(await page.locator("#verdict .rule").count() === 0, "no rule-id badges for applicants");

  const english = {};
  english.photo = (await page.textContent("h1")).trim();
  const englishFirst = (await page.locator("#verdict ul.instructions li").allTextContents())[0];
  for (const code of ["en", ...LANGS.filter((c) => c !== "en")]) {
    // Photo: switching keeps the verdict; the rule messages come in the language.
    await page.goto(`${env.base}/apply/photo`);
    await page.click(`button[name=_lang][value="${code}"]`);
    await page.waitForSelector("#verdict .verdict[data-verdict=reject]");
    await checkPage(page, code, "photo", english.photo);
    const first = (await page.locator("#verdict ul.instructions li").allTextContents())[0];
    assert(first && first.trim() !== "?", `${code}: an instruction`);
    if (code !== "en") assert(first !== englishFirst, `${code}: the rule message is translated: ${first}`);
    await page.waitForFunction(() => {
      const i = document.querySelector("#verdict img.overlay");
      return i && i.complete && i.naturalWidth > 0;
    }, null, { timeout: 90000 });
    await screenshot(page, `lang-${code}-photo`);

    // Home, in the language chosen (the choice is remembered).
    await page.goto(`${env.base}/`);
    const homeH1 = await checkPage(page, code, "home", english.home);
    if (code === "en") english.home = homeH1;
    await screenshot(page, `lang-${code}-home`);

    // Status: the form in every language; a lookup (its answer translated) in three, since
    // lookups are rate limited.
    await page.goto(`${env.base}/status`);
    const statusH1 = await checkPage(page, code, "status", english.status);
    if (code === "en") english.status = statusH1;
    if (["en", "vi", "my"].includes(code)) {
      await page.fill("#form_id", FORM_ID);
      await page.fill("#date_of_birth", "1990-04-01");
      await page.click("#main-form button.primary");
      await page.waitForSelector("#status-next");
      const next = (await page.textContent("#status-next")).trim();
      assert(next.length > 0 && next !== "?", `${code}: what to do next`);
      if (code === "en") english.next = next;
      else assert(next !== english.next, `${code}: the answer is translated: ${next}`);
      await checkPage(page, code, "status result", english.status);
    }
    await screenshot(page, `lang-${code}-status`);
  }

  // Too many lookups: a page that says so in its title (not "Something went wrong").
  await page.click('button[name=_lang][value="en"]');
  let limited = false;
  for (let i = 0; i < 12 && !limited; i++) {
    await page.goto(`${env.base}/status`);
    await page.fill("#form_id", FORM_ID);
    await page.fill("#date_of_birth", "1990-04-01");
    const [resp] = await Promise.all([page.waitForNavigation(), page.click("#main-form button.primary")]);
    limited = resp && resp.status() === 429;
  }
  assert(limited, "the lookup limit is reached");
  const title = await page.title();
  assert(title.startsWith("Too many lookups"), `rate-limit page title: ${title}`);
  assert(!(await page.textContent("h1")).includes("Something went wrong"), "rate-limit heading");
  await screenshot(page, "rate-limited");
  // A tab icon.
  assert(await page.locator("link[rel=icon]").count() === 1, "an icon link");
  const icon = await page.request.get(`${env.base}/favicon.ico`);
  assert(icon.status() === 200 && icon.headers()["content-type"].startsWith("image/svg+xml"), "favicon");
  log("languages checked:", LANGS.join(", "));
  await ctx.close();
});
