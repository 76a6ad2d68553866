// The worksheet editor's adapter to the save protocol (save-core.js): what a step's form
// holds, how to put it back, and what to redraw from an answer. The page works without this
// script: the form posts normally.
import { formFields } from "./form-fields.js";
import { createSaver } from "./save-core.js";

const editor = document.getElementById("editor");
const form = document.getElementById("step-form");

if (editor && form) {
  document.documentElement.classList.add("js");
  const versionInput = document.getElementById("version");
  const status = document.getElementById("save-status");
  const step = editor.dataset.step;
  const skip = ["csrf_token", "version", "go"];

  const fields = formFields(form, skip);
  const { collect, describe, merge } = fields;
  const inputsNamed = fields.named;
  const apply = (values) => { fields.apply(values); updateCounters(); };

  const showErrors = (errors) => {
    for (const el of form.querySelectorAll(".field-error")) { el.hidden = true; el.textContent = ""; }
    for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.setAttribute("aria-invalid", "false");
    for (const el of form.querySelectorAll(".has-error")) el.classList.remove("has-error");
    for (const [name, messages] of Object.entries(errors)) {
      const input = inputsNamed(name)[0];
      const box = document.getElementById(name + "-error");
      if (input) {
        input.setAttribute("aria-invalid", "true");
        const wrap = input.closest(".field");
        if (wrap) wrap.classList.add("has-error");
      }
      if (box) { box.textContent = messages.join(" "); box.hidden = false; }
    }
  };

  const redraw = (data) => {
    if (data.hints_html != null) document.getElementById("hints").innerHTML = data.hints_html;
    const panel = document.getElementById("panel");
    if (panel && data.panel_html != null) panel.innerHTML = data.panel_html;
    const progress = document.getElementById("progress");
    if (progress && data.done != null) {
      progress.value = data.done;
      const done = document.querySelector("[data-done]");
      if (done) done.textContent = data.done;
    }
    for (const [id, isDone] of Object.entries(data.steps_done || {})) {
      const li = document.querySelector('[data-step-id="' + CSS.escape(id) + '"]');
      if (li) li.classList.toggle("done", isDone);
    }
    const draft = document.getElementById("draft-text");
    if (draft && data.draft) draft.textContent = data.draft;
  };

  const signInLink = document.getElementById("sign-in-again");
  const words = JSON.parse(document.getElementById("save-words").textContent);
  const saver = createSaver({
    url: editor.dataset.autosaveUrl, kind: "worksheet", objectId: editor.dataset.worksheet,
    scope: step, version: versionInput.value, debounceMs: parseInt(editor.dataset.debounce, 10),
    words, statusEl: status, conflictBox: document.getElementById("conflict"), signInLink,
    collect, apply, redraw, showErrors, describe, merge,
    body: (fields, version) => ({ version, step, fields }),
    onVersion: (version) => { versionInput.value = version; },
  });

  function updateCounters() {
    for (const counter of form.querySelectorAll("[data-count-for]")) {
      const el = document.getElementById(counter.dataset.countFor);
      if (el) counter.textContent = el.value.length;
    }
  }

  let submitting = false;
  form.addEventListener("input", () => { updateCounters(); saver.schedule(); });
  form.addEventListener("change", (event) => {
    const target = event.target;
    // Text fields already scheduled a save on every keystroke ("input").
    if (target.tagName === "TEXTAREA" || target.type === "text") return;
    if (target.type === "radio" && target.name.endsWith("__ladder")) {
      // The tactic map offers the chosen ladder's steps: save, then draw the page again.
      saver.saveNow().then(() => { if (saver.state === "saved") location.reload(); });
      return;
    }
    saver.schedule();
  });

  // Previous / Save / Next: finish any autosave first, so the post names the latest version.
  // The local copy is dropped only once the server holds the text: a post can fail too (no
  // network), and the copy is what brings the text back then.
  form.addEventListener("submit", async (event) => {
    if (submitting) return;
    if (saver.running || saver.queued || ["dirty", "offline"].includes(saver.state)) {
      event.preventDefault();
      const submitter = event.submitter;
      if (saver.running) await saver.running;
      if (saver.state !== "saved") await saver.save();
      if (saver.conflict || saver.state === "signed-out") return;
      submitting = true;
      saver.stop();
      if (saver.state === "saved") saver.forget();
      form.requestSubmit(submitter);
      return;
    }
    submitting = true;
    saver.stop();
    if (saver.state === "saved") saver.forget();
  });
  // Back to this page from the back-forward cache after a post: a post that reached the
  // server moved the version on, so online the step loads afresh (a local copy comes back
  // with it); offline the page stays and autosave tries again.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted || !submitting) return;
    if (navigator.onLine) { location.reload(); return; }
    submitting = false;
    saver.resume();
    if (["dirty", "offline"].includes(saver.state)) saver.save();
  });

  const useDraft = document.getElementById("use-draft");
  if (useDraft) {
    useDraft.addEventListener("click", () => {
      const target = document.getElementById(useDraft.dataset.target);
      const draft = document.getElementById("draft-text").textContent;
      if (!target) return;
      if (target.value.trim() && !window.confirm(editor.dataset.replaceDraft)) return;
      target.value = draft;
      updateCounters();
      saver.saveNow();
      target.focus();
    });
  }

  saver.restore();
  updateCounters();
}
