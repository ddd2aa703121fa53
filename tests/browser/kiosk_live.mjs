// The booth's live screen in Chromium (booth-agent/tests/kiosk_live.rs runs the daemon and
// changes the camera's scene): the live view shows frames, the current instruction is over it,
// the captured photo comes with its verdict, and after the last retake the person chooses on
// the page. BASE_URL is the live screen's address.
import { env, launch, assert, log, screenshot } from "./lib.mjs";

const browser = await launch();
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "ja-JP" });
  ctx.setDefaultTimeout(120000);
  const page = await ctx.newPage();
  await page.goto(env.base);
  // The camera view: MJPEG frames arrive in the <img>.
  await page.waitForFunction(() => document.getElementById("live").naturalWidth > 0);
  const attract = await page.textContent("#instruction");
  assert(attract.includes("QRコード") && attract.includes("QR code"), `attract: ${attract}`);
  await screenshot(page, "kiosk-attract");

  // The person picks Vietnamese on the screen: the page's language and its words change, with
  // Japanese kept small underneath for the staff.
  assert((await page.getAttribute("html", "lang")) === "ja", "html lang before");
  await page.click('#langs button[data-lang="vi"]');
  assert((await page.getAttribute("html", "lang")) === "vi", "html lang after");
  const attractVi = await page.textContent("#instruction");
  assert(attractVi.includes("Hãy đưa mã QR") && attractVi.includes("QRコード"), `attract vi: ${attractVi}`);
  assert((await page.getAttribute('#langs button[data-lang="vi"]', "aria-pressed")) === "true", "vi pressed");
  await screenshot(page, "kiosk-attract-vi");
  // Only now may the test show the QR code: the attract screen is checked before the visit
  // moves on.
  log("watching");

  // Guidance: one instruction at a time, over the view, in the person's language (the rule's
  // message from the catalogue) with the Japanese under it.
  await page.waitForSelector("#instruction[data-rule]");
  const instruction = await page.textContent("#instruction");
  assert(instruction.length > 10, `instruction: ${instruction}`);
  const [main, small] = await page.evaluate(() => {
    const i = document.getElementById("instruction");
    return [i.firstChild.textContent, i.querySelector("small")?.textContent ?? ""];
  });
  assert(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i.test(main), `instruction not in Vietnamese: ${main}`);
  assert(/[\u3040-\u30ff\u4e00-\u9fff]/.test(small), `no Japanese under the instruction: ${small}`);
  log("instruction", instruction);

  // The countdown before the capture, over the view.
  await page.waitForSelector("#count", { state: "visible" });
  const count = Number(await page.textContent("#count"));
  assert(count >= 1 && count <= 2, `countdown ${count}`);
  log("countdown", count);

  // The captured photo with its verdict, then the choice after the last retake.
  await page.waitForSelector("#result[data-verdict]", { state: "visible" });
  await page.waitForFunction(() => document.getElementById("capture").naturalWidth > 0);
  const verdict = await page.getAttribute("#result", "data-verdict");
  assert(verdict === "reject", `verdict ${verdict}`);
  await page.waitForSelector("#choice", { state: "visible" });
  await screenshot(page, "kiosk-choice");
  const choiceText = await page.textContent("#choice");
  assert(choiceText.includes("Đã hết số lần chụp lại") && choiceText.includes("選んでください"), choiceText);
  assert((await page.textContent("#submit")).includes("Gửi ảnh đẹp nhất"), "submit button in Vietnamese");
  await page.click("#submit");
  log("chose submit_best");

  // The receipt on the screen.
  await page.waitForSelector("#receipt", { state: "visible" });
  const receipt = await page.textContent("#receipt");
  assert(receipt.includes("Form ID") && receipt.includes("a person will check it"), receipt);
  await screenshot(page, "kiosk-receipt");
  log("done");
} finally {
  await browser.close();
}
