// The save protocol in the browser, shared by every editor (worksheet steps, the board, a
// teacher's review). An editor is a small adapter: how to collect what is on the page, put a
// copy back, build the body, redraw from an answer and describe a conflict. This module does
// the rest the same way for all of them:
// - saves after a pause in typing (debounce), one save in flight at a time, "Saved" only
//   when nothing changed while the save ran (an edit counter);
// - a local copy of unsent text in localStorage, kept per user, per object and per tab, and
//   put back when the page opens again (copies of a tab that is still open are its own);
// - offline or a server error: keep the copy, retry with back-off (1 s doubling to 30 s),
//   and again on `online`; warn before leaving with unsent text;
// - anything but the protocol's JSON answer (a sign-in page, an HTML error, nothing) is "not
//   saved": signed out, the page says so, offers to sign in in a new tab and sends the copy
//   once the same user is back;
// - a save refused because the object changed elsewhere shows both versions of every answer
//   that differs, to keep one, the other, or an edited merge;
// - every answer carries the version now stored, and the page adopts it.
"use strict";

const PROTOCOL = 1;
const PREFIX = "canvas:v2:";
const TAB_LOCK = "canvas-tab:";

// One id per tab, kept over reloads of the tab. A live tab says so in localStorage every few
// seconds (and takes it back when the page goes away), so other tabs can tell a copy of a
// closed tab (to take over) from one of an open tab (to leave alone). A Web Lock would say
// it at once, but a page holding one is never kept in the back-forward cache. Browsers slow
// the timers of hidden tabs to about once a minute, so a tab counts as live for 150 s.
const ALIVE = "canvas:tab-alive:";
const LIVE_FOR_MS = 150000;
function tabId() {
  let id = null;
  try { id = sessionStorage.getItem("canvas:tab"); } catch (e) { /* storage disabled */ }
  if (!id) {
    id = Math.random().toString(36).slice(2) + Date.now().toString(36);
    try { sessionStorage.setItem("canvas:tab", id); } catch (e) { /* storage disabled */ }
  }
  return id;
}
const TAB = tabId();
function beat() { try { localStorage.setItem(ALIVE + TAB, String(Date.now())); } catch (e) { /* disabled */ } }
let beating = null;
function startBeating() { beat(); clearInterval(beating); beating = setInterval(beat, 10000); }
startBeating();
window.addEventListener("pagehide", () => {
  clearInterval(beating);
  try { localStorage.removeItem(ALIVE + TAB); } catch (e) { /* disabled */ }
});
window.addEventListener("pageshow", (event) => { if (event.persisted) startBeating(); });

function liveTabs() {
  const live = new Set();
  const now = Date.now();
  try {
    for (let n = 0; n < localStorage.length; n += 1) {
      const key = localStorage.key(n) || "";
      if (!key.startsWith(ALIVE)) continue;
      if (now - Number(localStorage.getItem(key)) < LIVE_FOR_MS) live.add(key.slice(ALIVE.length));
    }
  } catch (e) { /* storage disabled */ }
  return live;
}

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function setCsrfToken(token) {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && token) meta.content = token;
  for (const input of document.querySelectorAll('input[name="csrf_token"]')) input.value = token;
}

export function signedInUser() {
  const meta = document.querySelector('meta[name="user-id"]');
  return meta ? meta.content : "";
}

// Whether this browser holds unsent text of `user` (the sign-out warning asks).
export function hasUnsent(user) {
  try {
    for (let n = 0; n < localStorage.length; n += 1) {
      if ((localStorage.key(n) || "").startsWith(PREFIX + user + ":")) return true;
    }
  } catch (e) { /* storage disabled */ }
  return false;
}

export function createSaver(options) {
  const {
    url, kind, objectId, scope = "", words, statusEl, conflictBox,
    collect, apply, body, redraw = () => {}, showErrors = () => {}, describe, merge,
    same = (a, b) => JSON.stringify(a) === JSON.stringify(b),
  } = options;
  const debounceMs = options.debounceMs || 800;
  const user = signedInUser();
  const base = PREFIX + user + ":" + kind + ":" + objectId + ":" + scope + ":";
  const storeKey = base + TAB;
  const sessionUrl = options.sessionUrl || "/auth/session";

  let version = Number(options.version);
  let timer = null, running = null, queued = false, retryMs = 1000;
  let edits = 0, conflict = false, signedOut = false, stopped = false;
  let theirVersion = null, pendingTheirs = null, watching = null;

  function setStatus(state, text) {
    statusEl.dataset.state = state;
    statusEl.textContent = text || words[state] || "";
  }

  function remember(data) {
    try {
      localStorage.setItem(storeKey, JSON.stringify({ version, data, at: Date.now() }));
    } catch (e) { /* storage full or disabled: the server save still runs */ }
  }

  function forget() { try { localStorage.removeItem(storeKey); } catch (e) { /* disabled */ } }

  function changed() {
    edits += 1;
    remember(collect());
    if (!conflict && !signedOut) setStatus("dirty");
  }

  function schedule() {
    changed();
    clearTimeout(timer);
    timer = setTimeout(() => save(), debounceMs);
  }

  function saveNow() { changed(); return save(); }

  // One save at a time: a call while one runs is folded into it (it sends again after).
  function save(force) {
    clearTimeout(timer);
    if (stopped || ((conflict || signedOut) && !force)) return Promise.resolve();
    if (running) { queued = true; return running; }
    running = (async () => {
      let again = true;
      while (again && !stopped) { queued = false; again = await send(); }
    })().finally(() => { running = null; });
    return running;
  }

  async function send() {
    const sentAt = edits;
    const data = collect();
    remember(data);
    setStatus("saving");
    let response, answer = null;
    try {
      response = await fetch(url, {
        method: "POST", credentials: "same-origin", redirect: "manual",
        headers: { "Content-Type": "application/json", "Accept": "application/json",
                   "X-CSRFToken": csrfToken() },
        body: JSON.stringify(body(data, version)),
      });
    } catch (e) { offline(); return false; }
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("application/json")) {
      try { answer = await response.json(); } catch (e) { answer = null; }
    }
    if (!answer || answer.protocol !== PROTOCOL) return notSaved(response, answer);
    retryMs = 1000;
    if (typeof answer.version === "number") { version = answer.version; adoptVersion(); }
    if (answer.status === "conflict") {
      showConflict(data, answer.theirs);
      return false;
    }
    if (answer.status === "invalid" || answer.status === "locked") {
      // Locked: the work is handed in (or the feedback released); the copy stays here.
      setStatus("error", answer.message || words.error);
      return false;
    }
    showErrors(answer.errors || {});
    redraw(answer.redraw || {});
    const newer = edits !== sentAt;
    if (newer) { setStatus("dirty"); remember(collect()); return true; }
    if (answer.status === "saved") { forget(); setStatus("saved"); }
    else setStatus("error");  // partial: the refused answers stay on the page and locally
    return queued;
  }

  function adoptVersion() {
    if (options.onVersion) options.onVersion(version);
  }

  // Not the protocol's answer: nothing was saved. The copy stays.
  function notSaved(response, answer) {
    const status = response.status;
    if (status === 401 || response.type === "opaqueredirect" || (status >= 300 && status < 400)
        || (answer && answer.status === "signed-out")) {
      signOut();
      return false;
    }
    if (status === 400 && answer && answer.reason === "csrf") {
      refreshSession(true);
      return false;
    }
    if (status === 413 || (status >= 400 && status < 500 && status !== 408 && status !== 429)) {
      setStatus("error", (answer && answer.message) || words.error);
      return false;
    }
    offline();  // 5xx, 408, 429, an HTML error page, a cut connection: try again later
    return false;
  }

  function offline() {
    setStatus("offline");
    clearTimeout(timer);
    timer = setTimeout(() => save(), retryMs);
    retryMs = Math.min(retryMs * 2, 30000);
  }

  // --- signed out: keep everything, let the person sign in, send once they are back --------
  function signOut() {
    signedOut = true;
    setStatus("signed-out", words["signed-out"]);
    if (options.signInLink) options.signInLink.hidden = false;
    if (!watching) {
      watching = setInterval(() => refreshSession(false), 4000);
      window.addEventListener("focus", onFocus);
    }
  }

  function onFocus() { refreshSession(false); }

  async function refreshSession(retry) {
    let state;
    try {
      const r = await fetch(sessionUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      state = await r.json();
    } catch (e) { if (retry) offline(); return; }
    if (!state || !state.signed_in) { if (!signedOut) signOut(); return; }
    if (String(state.user) !== user) {
      // Someone else signed in on this browser: this text is not theirs and is not sent.
      signedOut = true;
      setStatus("other-user", words["other-user"]);
      return;
    }
    setCsrfToken(state.csrf);
    if (watching) { clearInterval(watching); watching = null; window.removeEventListener("focus", onFocus); }
    if (options.signInLink) options.signInLink.hidden = true;
    const wasOut = signedOut;
    signedOut = false;
    if (wasOut || retry) save(true);
  }

  // --- conflicts ----------------------------------------------------------------------------
  function showConflict(mine, theirs) {
    conflict = true;
    theirVersion = version;
    pendingTheirs = theirs;
    setStatus("conflict", words.unsaved);
    if (!conflictBox) return;
    const rowsEl = conflictBox.querySelector("#conflict-rows");
    const boxWords = JSON.parse(conflictBox.dataset.words || "{}");
    rowsEl.replaceChildren();
    for (const row of describe(mine, theirs)) rowsEl.appendChild(conflictRow(row, boxWords));
    conflictBox.hidden = false;
  }

  function shown(value, kind, boxWords) {
    if (kind === "flag") return value ? boxWords.ticked : boxWords.unticked;
    return value === null || value === undefined || value === "" ? boxWords.empty : String(value);
  }

  function conflictRow(row, boxWords) {
    const wrap = document.createElement("fieldset");
    wrap.className = "conflict-row";
    wrap.dataset.key = row.key;
    const legend = document.createElement("legend");
    legend.textContent = row.label;
    wrap.appendChild(legend);
    const pair = document.createElement("div");
    pair.className = "conflict-pair";
    const name = "resolve-" + row.key;
    for (const side of ["mine", "theirs"]) {
      const col = document.createElement("div");
      const id = name + "-" + side;
      const pick = document.createElement("input");
      pick.type = "radio"; pick.name = name; pick.value = side; pick.id = id;
      pick.checked = side === (row.prefer || "mine");
      const label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = side === "mine" ? boxWords.keep_mine : boxWords.keep_theirs;
      col.append(pick, " ", label);
      if (side === "mine" && row.kind === "text") {
        const edit = document.createElement("textarea");
        edit.value = row.mine == null ? "" : String(row.mine);
        edit.rows = 3;
        edit.dataset.role = "merge";
        edit.setAttribute("aria-label", boxWords.mine + ": " + row.label);
        edit.addEventListener("input", () => { pick.checked = true; });
        col.appendChild(edit);
      } else {
        const text = document.createElement("pre");
        text.textContent = shown(row[side], row.kind, boxWords);
        col.appendChild(text);
      }
      pair.appendChild(col);
    }
    wrap.appendChild(pair);
    return wrap;
  }

  function resolve() {
    const choices = {};
    for (const row of conflictBox.querySelectorAll(".conflict-row")) {
      const picked = row.querySelector("input[type=radio]:checked");
      const edit = row.querySelector('[data-role="merge"]');
      choices[row.dataset.key] = picked && picked.value === "theirs"
        ? { side: "theirs" } : { side: "mine", value: edit ? edit.value : undefined };
    }
    const merged = merge(collect(), pendingTheirs, choices);
    apply(merged);
    version = theirVersion;
    adoptVersion();
    conflict = false;
    conflictBox.hidden = true;
    edits += 1;
    remember(collect());
    return save(true);
  }

  if (conflictBox) {
    const button = conflictBox.querySelector('[data-conflict="resolve"]');
    if (button) button.addEventListener("click", resolve);
    const reload = conflictBox.querySelector('[data-conflict="reload"]');
    if (reload) reload.addEventListener("click", () => { stopped = true; forget(); });
  }

  window.addEventListener("online", () => {
    if (statusEl.dataset.state === "offline") save();
    if (signedOut) refreshSession(false);
  });
  window.addEventListener("beforeunload", (event) => {
    if (stopped) return;
    if (["dirty", "saving", "offline", "signed-out", "conflict"].includes(statusEl.dataset.state)) {
      if (!signedOut && !conflict) save();
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Put back text that never reached the server: this tab's own copy (a reload) or a closed
  // tab's (a crash, a tab closed offline); an open tab's copy is left to that tab.
  function restore() {
    const live = liveTabs();
    const found = [];
    try {
      for (let n = 0; n < localStorage.length; n += 1) {
        const key = localStorage.key(n) || "";
        if (!key.startsWith(base)) continue;
        const tab = key.slice(base.length);
        if (tab !== TAB && live.has(tab)) continue;
        const copy = JSON.parse(localStorage.getItem(key) || "null");
        if (copy && copy.data) found.push({ key, copy });
      }
    } catch (e) { return; }
    if (!found.length) return;
    found.sort((a, b) => (b.copy.at || 0) - (a.copy.at || 0));
    const { key, copy } = found[0];
    if (key !== storeKey) { try { localStorage.removeItem(key); } catch (e) { /* disabled */ } }
    const server = collect();
    // A copy the server already holds (its save landed as the tab closed) is no conflict.
    if (same(copy.data, server)) { forget(); return; }
    apply(copy.data);
    edits += 1;
    remember(copy.data);
    if (copy.version === version) { save(); return; }
    // The page moved on since the copy was made: let the person choose, answer by answer.
    showConflict(copy.data, server);
  }

  return {
    schedule, saveNow, save, changed, restore, forget,
    get version() { return version; },
    set version(v) { version = Number(v); },
    get running() { return running; },
    get queued() { return queued; },
    get conflict() { return conflict; },
    get state() { return statusEl.dataset.state; },
    stop() { stopped = true; clearTimeout(timer); },
    resume() { stopped = false; },
  };
}
