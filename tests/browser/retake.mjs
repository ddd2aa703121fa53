// A reviewer's retake request, from the mail to a new photo without typing anything again: the
// applicant's photo is rejected, a reviewer asks for a new one (rules and a note), the mail's
// link signs the applicant straight into the photo step (another device: no cookie), which shows
// the reviewer's rules and note, not the machine's old reasons, and does not offer to send the
// old photo to a person again; a new photo is checked there (accepted when the dev photos exist).
import fs from "node:fs";
import { env, assert, log, phone, screenshot, waitMail, mailsTo, run, setShotPrefix } from "./lib.mjs";

const FORM_ID = process.env.FORM_ID;
const EMAIL = process.env.EMAIL;
const TAIL = "…" + FORM_ID.slice(-4);
const NOTE = "Your fringe covers your eyebrows; please pin it back.";

function retakeLink(mail) {
  const m = mail.match(/https?:\/\/\S+\/apply\/link\/[0-9a-f]+/);
  assert(m, `a sign-in link in the retake mail: ${mail}`);
  return m[0];
}

setShotPrefix(90);
await run("retake", async (browser) => {
  // The applicant, whose browser asks for Vietnamese, sends a photo the machine rejects.
  const first = await phone(browser, { locale: "vi-VN" });
  const ap = await first.newPage();
  await ap.goto(`${env.base}/apply?id=${FORM_ID}`);
  await ap.fill("#name", "Maria Santos");
  await ap.fill("#email", EMAIL);
  await ap.click("#main-form button.primary");
  await ap.waitForURL(/\/apply\/sent$/);
  const linkMail = await waitMail(EMAIL, "/apply/link/");
  assert(linkMail.includes("Kính gửi Maria Santos,"), `the link mail in Vietnamese: ${linkMail}`);
  const signIn = linkMail.match(/https?:\/\/\S+\/apply\/link\/[0-9a-f]+/)[0];
  await ap.goto(signIn);
  await ap.click("main button[type=submit]");
  await ap.waitForURL(/\/apply\/photo$/);
  await ap.setInputFiles("#photo-file", env.rejectedPhoto);
  await ap.waitForSelector("#verdict .verdict[data-verdict=reject]", { timeout: 90000 });
  await first.close();

  // A reviewer asks for a new photo: a background rule and a note.
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  ctx.setDefaultTimeout(30000);
  const page = await ctx.newPage();
  await page.goto(`${env.base}/console/login`);
  await page.fill("#name", env.reviewer);
  await page.fill("#password", env.reviewerPassword);
  await page.click("main button[type=submit]");
  await page.waitForURL(/\/console$/);
  await page.click(`#queue tbody tr:has-text("${TAIL}") a`);
  await page.waitForURL(/\/console\/items\//);
  const checked = page.locator("#retake-form input[name=rules]:checked");
  while (await checked.count() > 0) await checked.first().uncheck();
  await page.check("#retake-form input[name=rules][value=P10]");
  await page.check("#retake-form input[name=rules][value=F4]");
  await page.fill("#note", NOTE);
  await page.click("#retake-button");
  await page.waitForURL(/decided=1/);
  await ctx.close();

  // The mail links straight back in; on another device, nothing is typed.
  const mail = await waitMail(EMAIL, "/apply/link/", 2);
  assert(mail.includes(NOTE), "the note in the mail");
  // In the application's language, with a closing line in Japanese for whoever helps.
  assert(mail.includes("Chúng tôi đã kiểm tra ảnh bạn gửi") && mail.includes("【日本語】"), `retake mail in Vietnamese: ${mail}`);
  const second = await phone(browser, { locale: "en-US" });
  const p2 = await second.newPage();
  await p2.goto(retakeLink(mail));
  await p2.click("main button[type=submit]");
  await p2.waitForURL(/\/apply\/photo$/);
  // Another device with an English browser: the page follows the application's language.
  assert((await p2.getAttribute("html", "lang")) === "vi", "the application's language on a new device");
  const request = await p2.textContent("#retake-request");
  assert(request.includes(NOTE), `the reviewer's note on the photo page: ${request}`);
  const rules = await p2.locator("#retake-request li").evaluateAll((l) => l.map((e) => e.dataset.rule));
  assert(rules.includes("P10") && rules.includes("F4") && rules.length === 2, `the reviewer's rules: ${rules}`);
  assert(await p2.locator("#verdict .verdict").count() === 0, "not the machine's old verdict");
  assert(await p2.locator("#submit-anyway").count() === 0, "no offer to send the old photo to a person again");
  assert(await p2.locator("#form_id, #email").count() === 0, "nothing to type again");
  await screenshot(p2, "retake-requested");

  // The new photo, checked at once on the same page.
  if (env.compliantPhoto && fs.existsSync(env.compliantPhoto)) {
    await p2.setInputFiles("#photo-file", env.compliantPhoto);
    await p2.waitForSelector("#verdict .verdict[data-verdict=accept]", { timeout: 90000 });
    await screenshot(p2, "retake-accepted");
    await p2.click("#continue");
    await p2.waitForURL(/\/apply\/details$/);
    log("retake: the new photo was accepted");
  } else {
    log("skipped the accepted-photo part: ../shared/photos/dev is absent; checking a new rejected photo instead");
    await p2.setInputFiles("#photo-file", env.rejectedPhoto);
    await p2.waitForSelector("#verdict .verdict[data-verdict=reject]", { timeout: 90000 });
  }
  assert(mailsTo(EMAIL).length >= 2, "two mails: the link and the retake request");
  await second.close();
});
