// The review screen: the teacher's marking as an adapter of the save protocol
// (save-core.js), moving between students without losing a word, and keyboard shortcuts.
// Without this script the marking form posts normally and the links simply navigate.
import { formFields } from "./form-fields.js";
import { createSaver } from "./save-core.js";

const review = document.getElementById("review");
const form = document.getElementById("review-form");
let saver = null;

if (review) document.documentElement.classList.add("js");

if (review && form && review.dataset.autosaveUrl) {
  const status = document.getElementById("save-status");
  const attempt = Number(review.dataset.attempt);
  const versionInputs = () => document.querySelectorAll("[data-version]");
  const skip = ["csrf_token", "version", "attempt"];
  const fields = formFields(form, [...skip, "filter"]);
  const { collect, apply, describe, merge } = fields;

  const showErrors = (errors) => {
    for (const el of form.querySelectorAll(".field-error")) { el.hidden = true; el.textContent = ""; }
    for (const [name, messages] of Object.entries(errors)) {
      const box = document.getElementById(name + "-error");
      if (box) { box.textContent = messages.join(" "); box.hidden = false; }
    }
  };

  const redraw = (data) => {
    const points = document.querySelector("[data-points]");
    if (points && data.points != null) points.textContent = data.points;
  };

  saver = createSaver({
    url: review.dataset.autosaveUrl, kind: "review", objectId: review.dataset.feedback,
    scope: String(attempt), version: versionInputs()[0].value,
    debounceMs: parseInt(review.dataset.debounce, 10),
    words: JSON.parse(document.getElementById("save-words").textContent),
    statusEl: status, conflictBox: document.getElementById("conflict"),
    signInLink: document.getElementById("sign-in-again"),
    collect, apply, redraw, showErrors, describe, merge,
    body: (fields, version) => ({ version, attempt, fields }),
    onVersion: (version) => { for (const el of versionInputs()) el.value = version; },
  });

  form.addEventListener("input", () => saver.schedule());
  form.addEventListener("change", (event) => { if (event.target.type === "radio") saver.schedule(); });
  form.addEventListener("submit", (event) => { event.preventDefault(); saver.saveNow(); });

  // Release only what is saved: finish the save, then send the release with its version.
  const release = document.querySelector("form.release");
  let releasing = false;
  if (release) {
    release.addEventListener("submit", async (event) => {
      if (releasing) return;
      if (saver.running || saver.queued || saver.state === "dirty") {
        event.preventDefault();
        event.stopImmediatePropagation();
        await saver.save();
        if (saver.state !== "saved") return;
        releasing = true;
        release.requestSubmit();
      }
    });
  }
  saver.restore();
}

// Go to another student once the marking here is saved (the link is the way without JS).
async function go(link) {
  if (!link) return;
  if (saver && (saver.running || saver.queued || saver.state === "dirty")) {
    await saver.save();
    if (saver.state !== "saved") { document.getElementById("save-status").focus(); return; }
  }
  saver && saver.stop();
  window.location.href = link.href;
}

for (const id of ["next-student", "previous-student"]) {
  const link = document.getElementById(id);
  if (link) link.addEventListener("click", (event) => { event.preventDefault(); go(link); });
}

const typing = (el) => el && (el.tagName === "TEXTAREA" || el.tagName === "SELECT"
  || (el.tagName === "INPUT" && !["radio", "checkbox", "button", "submit"].includes(el.type)));

function nextComment() {
  const boxes = [...document.querySelectorAll("[data-comment]")].filter((el) => !el.disabled);
  if (!boxes.length) return null;
  const here = document.activeElement;
  const after = boxes.find((box) => here && here !== document.body
    && (here.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING));
  return after || boxes[0];
}

function rubric() {
  const checked = document.querySelector(".criterion input[type=radio]:checked:not(:disabled)");
  return checked || document.querySelector(".criterion input[type=radio]:not(:disabled)");
}

if (review) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const key = event.key.toLowerCase();
    const targets = {
      j: () => go(document.getElementById("next-student")),
      k: () => go(document.getElementById("previous-student")),
      c: () => { const box = nextComment(); if (box) box.focus(); },
      o: () => { const box = document.getElementById("overall"); if (box && !box.disabled) box.focus(); },
      r: () => { const radio = rubric(); if (radio) radio.focus(); },
      "?": () => { const box = document.getElementById("shortcuts"); if (box) box.open = !box.open; },
    };
    if (targets[key]) { event.preventDefault(); targets[key](); }
  });
}
