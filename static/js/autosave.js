// Autosave for the worksheet editor: saves as people type (debounced), shows the state,
// keeps unsent text in localStorage while offline, retries, and handles a second tab.
// The page works without this script: the form posts normally.
(function () {
  "use strict";
  const editor = document.getElementById("editor");
  const form = document.getElementById("step-form");
  if (!editor || !form) return;

  const url = editor.dataset.autosaveUrl;
  const step = editor.dataset.step;
  const words = JSON.parse(editor.dataset.words);
  const debounceMs = parseInt(editor.dataset.debounce, 10) || 800;
  const storeKey = "canvas:unsaved:" + editor.dataset.worksheet + ":" + step;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const versionInput = document.getElementById("version");
  const status = document.getElementById("save-status");
  const conflictBox = document.getElementById("conflict");

  // `running` is the save under way (a promise, settled once the latest text was sent).
  let timer = null, running = null, queued = false, retryMs = 1000, conflict = false;
  // `edits` counts changes; a save reports "Saved" only if nothing changed while it ran.
  let edits = 0, submitting = false;
  document.documentElement.classList.add("js");

  function setStatus(text, state) {
    status.textContent = text;
    status.dataset.state = state;
  }

  function collect() {
    const fields = {};
    for (const el of form.elements) {
      if (!el.name || ["csrf_token", "version", "go"].includes(el.name)) continue;
      if (el.type === "checkbox") fields[el.name] = el.checked;
      else if (el.type === "radio") { if (el.checked) fields[el.name] = el.value; else if (!(el.name in fields)) fields[el.name] = ""; }
      else fields[el.name] = el.value;
    }
    return fields;
  }

  function apply(fields) {
    for (const [name, value] of Object.entries(fields)) {
      for (const el of form.querySelectorAll('[name="' + CSS.escape(name) + '"]')) {
        if (el.type === "checkbox") el.checked = !!value;
        else if (el.type === "radio") el.checked = el.value === value;
        else el.value = value;
      }
    }
    updateCounters();
  }

  function remember(fields) {
    try {
      localStorage.setItem(storeKey, JSON.stringify({ version: Number(versionInput.value), fields }));
    } catch (e) { /* storage full or disabled: the server save still runs */ }
  }

  function forget() { try { localStorage.removeItem(storeKey); } catch (e) {} }

  function showErrors(errors) {
    for (const el of form.querySelectorAll(".field-error")) {
      el.hidden = true; el.textContent = "";
    }
    for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.setAttribute("aria-invalid", "false");
    for (const el of form.querySelectorAll(".has-error")) el.classList.remove("has-error");
    for (const [name, messages] of Object.entries(errors || {})) {
      const input = form.querySelector('[name="' + CSS.escape(name) + '"]');
      const box = document.getElementById((input ? input.id : name) + "-error");
      if (input) {
        input.setAttribute("aria-invalid", "true");
        const wrap = input.closest(".field");
        if (wrap) wrap.classList.add("has-error");
      }
      if (box) { box.textContent = messages.join(" "); box.hidden = false; }
    }
  }

  function updateView(data) {
    if (data.hints_html != null) document.getElementById("hints").innerHTML = data.hints_html;
    const panel = document.getElementById("panel");
    if (panel && data.panel_html != null) panel.innerHTML = data.panel_html;
    const progress = document.getElementById("progress");
    if (progress && data.done != null) {
      progress.value = data.done;
      const done = document.querySelector("[data-done]");
      if (done) done.textContent = data.done;
    }
    if (data.steps_done) {
      for (const [id, isDone] of Object.entries(data.steps_done)) {
        const li = document.querySelector('[data-step-id="' + CSS.escape(id) + '"]');
        if (li) li.classList.toggle("done", isDone);
      }
    }
    const draft = document.getElementById("draft-text");
    if (draft && data.draft != null) draft.textContent = data.draft || draft.textContent;
  }

  // One save at a time: a call while one runs returns that one, which then sends again.
  function save(force) {
    clearTimeout(timer);
    if (submitting || (conflict && !force)) return Promise.resolve();
    if (running) { queued = true; return running; }
    running = sendUntilCurrent().finally(() => { running = null; });
    return running;
  }

  async function sendUntilCurrent() {
    let again = true;
    while (again && !submitting) {
      queued = false;
      again = await send();
    }
  }

  // One request; true when the text changed (or a save was asked for) while it ran.
  async function send() {
    const sentAt = edits;
    const fields = collect();
    remember(fields);
    setStatus(words.saving, "saving");
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
        body: JSON.stringify({ version: Number(versionInput.value), step, fields }),
        credentials: "same-origin",
      });
    } catch (e) {
      offline();
      return false;
    }
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (response.status === 409 && data.status === "conflict") {
      conflict = true;
      editor.dataset.theirVersion = data.version;
      conflictBox.hidden = false;
      setStatus(words.unsaved, "conflict");
      return false;
    }
    if (response.ok || response.status === 422) {
      retryMs = 1000;
      if (data.version != null) versionInput.value = data.version;
      showErrors(data.errors);
      updateView(data);
      const newer = edits !== sentAt;
      if (newer) { setStatus(words.unsaved, "dirty"); remember(collect()); }
      else if (response.ok) { forget(); setStatus(words.saved, "saved"); }
      else setStatus(words.error, "error");
      return queued || newer;
    }
    if (response.status >= 500 || response.status === 0) { offline(); return false; }
    // 400 and 413: the server explained; keep the text, show the message.
    setStatus((data && data.message) || words.error, "error");
    return false;
  }

  function offline() {
    setStatus(words.offline, "offline");
    clearTimeout(timer);
    timer = setTimeout(() => save(), retryMs);
    retryMs = Math.min(retryMs * 2, 30000);
  }

  function schedule() {
    edits += 1;
    remember(collect());
    setStatus(words.unsaved, "dirty");
    clearTimeout(timer);
    timer = setTimeout(() => save(), debounceMs);
  }

  function updateCounters() {
    for (const counter of form.querySelectorAll("[data-count-for]")) {
      const el = document.getElementById(counter.dataset.countFor);
      if (el) counter.textContent = el.value.length;
    }
  }

  form.addEventListener("input", (event) => { updateCounters(); schedule(); });
  form.addEventListener("change", (event) => {
    const target = event.target;
    // Text fields already scheduled a save on every keystroke ("input").
    if (target.tagName === "TEXTAREA" || target.type === "text") return;
    if (target.type === "radio" && target.name.endsWith("__ladder")) {
      // The tactic map offers the chosen ladder's steps: save, then redraw the page.
      save().then(() => { if (status.dataset.state === "saved") location.reload(); });
      return;
    }
    schedule();
  });
  // Previous / Save / Next: finish any autosave first, so the post names the latest version.
  // The local copy is dropped only once the server holds the text: a post can fail too (no
  // network), and the copy is what brings the text back then. A copy left over after a
  // post that worked is dropped when the step is opened again (it matches the page).
  form.addEventListener("submit", async (event) => {
    if (submitting) return;
    clearTimeout(timer);
    if (running || queued || ["dirty", "offline"].includes(status.dataset.state)) {
      event.preventDefault();
      const submitter = event.submitter;
      if (running) await running;
      if (status.dataset.state !== "saved") await save();
      if (conflict) return;
      submitting = true;
      if (status.dataset.state === "saved") forget();
      form.requestSubmit(submitter);
      return;
    }
    submitting = true;
    if (status.dataset.state === "saved") forget();
  });
  // Back to this page from the back-forward cache after a post: it is live again. A post
  // that reached the server moved the version on, so online the step is loaded afresh (a
  // local copy comes back with it); offline the page stays and autosave tries again.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted || !submitting) return;
    if (navigator.onLine) { location.reload(); return; }
    submitting = false;
    if (["dirty", "offline"].includes(status.dataset.state)) save();
  });
  window.addEventListener("online", () => { if (status.dataset.state === "offline") save(); });
  window.addEventListener("beforeunload", (event) => {
    if (!submitting && ["dirty", "saving", "offline"].includes(status.dataset.state)) {
      save();
      event.preventDefault();
      event.returnValue = "";
    }
  });

  conflictBox.querySelector('[data-conflict="keep"]').addEventListener("click", () => {
    versionInput.value = editor.dataset.theirVersion;
    conflict = false;
    conflictBox.hidden = true;
    save(true);
  });
  conflictBox.querySelector('[data-conflict="reload"]').addEventListener("click", () => { forget(); });

  const useDraft = document.getElementById("use-draft");
  if (useDraft) {
    useDraft.addEventListener("click", () => {
      const target = document.getElementById(useDraft.dataset.target);
      const draft = document.getElementById("draft-text").textContent;
      if (!target) return;
      if (target.value.trim() && !window.confirm(words.replace_draft)) return;
      target.value = draft;
      updateCounters();
      save();
      target.focus();
    });
  }

  // Text typed while offline (or before a crash) that never reached the server.
  try {
    const pending = JSON.parse(localStorage.getItem(storeKey) || "null");
    const shown = collect();
    // A copy the server already has (its save landed as the tab closed) is no conflict.
    const alreadySaved = pending && pending.fields &&
      Object.entries(pending.fields).every(([name, value]) => shown[name] === value);
    if (alreadySaved) forget();
    else if (pending && pending.fields) {
      apply(pending.fields);
      if (pending.version === Number(versionInput.value)) save();
      else { conflict = true; editor.dataset.theirVersion = versionInput.value; conflictBox.hidden = false; setStatus(words.unsaved, "conflict"); }
    }
  } catch (e) { forget(); }
  updateCounters();
})();
