// Progressive enhancement only: every page works without this file.
// 1. The photo step: a chosen or taken photo is checked at once and the verdict (rendered by
//    the server, in the page's language) replaces the old one without a page reload.
// 2. The reviewer console: keyboard shortcuts for a day of reviewing.
"use strict";

(function () {
  function photoStep() {
    var form = document.getElementById("photo-form");
    if (!form || !window.fetch || !window.FormData) return;
    var progress = form.querySelector(".progress");
    var button = form.querySelector("#photo-submit");
    var busy = false;

    function send(input) {
      if (busy) return;
      // The form's fields (token, declared exception) with only the photo just chosen, or,
      // without one, a request to check the photo already sent again (a reason declared later).
      var data = new FormData(form);
      data.delete("photo");
      if (input) data.append("photo", input.files[0]);
      else data.append("recheck", "1");
      busy = true;
      if (button) button.disabled = true;
      progress.textContent = form.getAttribute("data-checking");
      fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Fragment": "verdict" }
      }).then(function (resp) {
        var type = resp.headers.get("Content-Type") || "";
        if (type.indexOf("text/html") !== 0 || resp.status === 403 || resp.status === 401) {
          // Session ended or refused: the normal form shows the reason.
          throw new Error("fallback");
        }
        return resp.text();
      }).then(function (html) {
        var old = document.getElementById("verdict");
        var box = document.createElement("div");
        box.innerHTML = html;
        var fresh = box.querySelector("#verdict");
        if (old && fresh) {
          // Same live region, new content: screen readers announce the verdict.
          old.innerHTML = fresh.innerHTML;
          old.focus();
        }
        progress.textContent = "";
        if (input) input.value = "";
        var heading = form.querySelector("h2[data-retake]");
        if (heading) heading.textContent = heading.getAttribute("data-retake");
        var age0 = document.querySelector("aside.age0");
        if (age0 && old && old.querySelector(".verdict")) age0.remove();
      }).catch(function () {
        progress.textContent = "";
        form.submit();
      }).then(function () {
        busy = false;
        if (button) button.disabled = false;
      });
    }

    form.addEventListener("change", function (e) {
      var input = e.target;
      if (input.type === "file" && input.files && input.files.length) send(input);
      // A reason chosen after the photo: the photo on screen is checked again with it.
      else if (input.name === "exception" && document.querySelector("#verdict .verdict")) send(null);
    });
    form.addEventListener("submit", function (e) {
      var inputs = form.querySelectorAll("input[type=file]");
      for (var i = 0; i < inputs.length; i++) {
        if (inputs[i].files && inputs[i].files.length) {
          e.preventDefault();
          send(inputs[i]);
          return;
        }
      }
    });
  }

  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }

  function consoleKeys() {
    if (!document.body.classList.contains("console")) return;
    var rows = Array.prototype.slice.call(document.querySelectorAll("#queue tbody tr"));
    var selected = -1;
    function select(i) {
      if (!rows.length) return;
      if (selected >= 0) rows[selected].classList.remove("selected");
      selected = Math.max(0, Math.min(rows.length - 1, i));
      rows[selected].classList.add("selected");
      var link = rows[selected].querySelector("a");
      if (link) link.focus();
    }
    document.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (typing(e)) {
        if (e.key === "Escape") e.target.blur();
        return;
      }
      var el;
      switch (e.key) {
        case "j": select(selected + 1); break;
        case "k": select(selected - 1); break;
        case "f": el = document.getElementById("rule"); if (el) el.focus(); break;
        case "a": el = document.getElementById("reason"); if (el) el.focus(); break;
        case "r": el = document.querySelector("#retake-form input[type=checkbox]"); if (el) el.focus(); break;
        case "o": el = document.getElementById("pictures"); if (el) el.classList.toggle("swap"); break;
        case "q": el = document.getElementById("back-to-queue"); if (el) el.click(); break;
        case "n": el = document.getElementById("next-item") || document.getElementById("back-to-queue"); if (el) el.click(); break;
        default: return;
      }
      e.preventDefault();
    });
  }

  photoStep();
  consoleKeys();
})();
