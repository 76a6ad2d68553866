// The canvas board: edit notes in place, add, delete, reorder (buttons or drag and drop),
// and autosave all blocks as one versioned JSON document, with the worksheet editor's rules:
// unsent notes wait in localStorage (offline, a crash, a closed tab) and are sent when the
// board is opened again. Without this script every button posts its own form.
(function () {
  "use strict";
  const board = document.getElementById("board");
  if (!board) return;
  document.documentElement.classList.add("js");
  const url = board.dataset.saveUrl;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const status = document.getElementById("board-status");
  const conflictBox = document.getElementById("board-conflict");
  const versionLabel = document.getElementById("canvas-version-label");
  let version = Number(board.dataset.version);
  let timer = null, inFlight = false, queued = false, retryMs = 1000, conflict = false;
  let counter = 0;
  // `edits` counts changes; a save reports "Saved" only if nothing changed while it ran.
  let edits = 0;
  const storeKey = "canvas:board:" + board.dataset.canvas;

  function setStatus(text, state) { status.textContent = text; status.dataset.state = state; }

  const palette = JSON.parse(board.dataset.colours || "[]");
  const segmentsBlock = board.dataset.segmentsBlock;

  // Segment menus and colour tags follow the Customer Segments notes as they change.
  function segmentNotes() {
    return [...board.querySelectorAll('[data-block="' + segmentsBlock + '"] .note')];
  }

  // A segment menu offers "No segment" and then every segment note, as they read now.
  function offerSegments(select, notes) {
    for (const option of [...select.options]) if (option.value) option.remove();
    for (const li of notes) {
      const option = document.createElement("option");
      option.value = li.dataset.item;
      option.textContent = "● " + (li.querySelector('[data-role="text"]').value || "…").slice(0, 40);
      select.appendChild(option);
    }
  }

  function refreshSegments() {
    const notes = segmentNotes();
    const colours = {};
    notes.forEach((li, n) => {
      colours[li.dataset.item] = palette[n % palette.length];
      li.style.setProperty("--tag", colours[li.dataset.item]);
    });
    for (const select of board.querySelectorAll("select.segment-select")) {
      const chosen = select.value;
      offerSegments(select, notes);
      select.value = chosen in colours ? chosen : "";
      const note = select.closest(".note");
      if (note && !note.closest('[data-block="' + segmentsBlock + '"]')) {
        if (select.value) note.style.setProperty("--tag", colours[select.value]);
        else note.style.removeProperty("--tag");
      }
    }
  }

  function collect() {
    const blocks = {};
    for (const section of board.querySelectorAll("[data-block]")) {
      const isSegments = section.dataset.block === segmentsBlock;
      blocks[section.dataset.block] = [...section.querySelectorAll(".note")].map((li) => {
        const seg = isSegments ? null : li.querySelector('[data-role="segment"]');
        return { id: li.dataset.item, text: li.querySelector('[data-role="text"]').value,
                 segment: seg && seg.value ? seg.value : null };
      });
    }
    return blocks;
  }

  function remember(blocks) {
    try { localStorage.setItem(storeKey, JSON.stringify({ version, blocks })); }
    catch (e) { /* storage full or disabled: the server save still runs */ }
  }

  function forget() { try { localStorage.removeItem(storeKey); } catch (e) {} }

  async function save(force) {
    clearTimeout(timer);
    if (conflict && !force) return;
    if (inFlight) { queued = true; return; }
    const sentAt = edits;
    const blocks = collect();
    remember(blocks);
    inFlight = true;
    setStatus("Saving…", "saving");
    let response, data = {};
    try {
      response = await fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ version, blocks }),
      });
      data = await response.json().catch(() => ({}));
    } catch (e) {
      inFlight = false;
      offline();
      return;
    }
    inFlight = false;
    if (response.status === 409) {
      conflict = true; board.dataset.theirs = data.version;
      conflictBox.hidden = false; setStatus("Not saved yet", "conflict");
      return;
    }
    if (response.ok) {
      retryMs = 1000;
      version = data.version;
      versionLabel.textContent = version;
      for (const input of document.querySelectorAll(".version-field")) input.value = version;
      if (data.findings_html != null) document.getElementById("findings").innerHTML = data.findings_html;
      const newer = edits !== sentAt;
      if (newer) { setStatus("Not saved yet", "dirty"); remember(collect()); }
      else { forget(); setStatus("Saved", "saved"); }
      if (queued || newer) { queued = false; save(); }
      return;
    }
    // The server is down or restarting: like no network, keep the notes and try again.
    if (response.status >= 500 || response.status === 0) { offline(); return; }
    setStatus(data.message || "Not saved: see the messages", "error");
    if (data.errors) setStatus(Object.values(data.errors).join(" "), "error");
  }

  function offline() {
    setStatus("Offline, will retry", "offline");
    clearTimeout(timer);
    timer = setTimeout(save, retryMs);
    retryMs = Math.min(retryMs * 2, 30000);
  }

  // Every change is counted and kept locally at once; typing waits for a pause before it
  // is sent, a move, an add or a delete is sent straight away.
  function changed() { edits += 1; remember(collect()); setStatus("Not saved yet", "dirty"); }
  function schedule() { changed(); clearTimeout(timer); timer = setTimeout(save, 800); }
  function saveNow() { changed(); save(); }

  function renumber(section) {
    // Labels name notes by position; keep them true after a move.
    const name = section.querySelector("h2").textContent;
    section.querySelectorAll(".note").forEach((li, n) => {
      const [textLabel, segmentLabel] = li.querySelectorAll("label");
      textLabel.textContent = "Note " + (n + 1) + " in " + name;
      if (segmentLabel) segmentLabel.textContent = "Segment of note " + (n + 1) + " in " + name;
      li.querySelector("[data-move=up]").setAttribute("aria-label", "Move note " + (n + 1) + " up");
      li.querySelector("[data-move=down]").setAttribute("aria-label", "Move note " + (n + 1) + " down");
      li.querySelector("[data-delete]").setAttribute("aria-label", "Delete note " + (n + 1));
    });
  }

  // A new note is made from the page's note template: the markup of a note the server
  // draws (the text limit, the segment menu, the tools), without the no-script form.
  const noteTemplate = document.getElementById("note-template");

  function newNote(section, text, segment, givenId) {
    const list = section.querySelector(".notes");
    const id = givenId || "n" + Date.now().toString(36) + (counter++);
    const li = noteTemplate.content.firstElementChild.cloneNode(true);
    li.dataset.item = id;
    const area = li.querySelector('[data-role="text"]');
    const [textLabel, segmentLabel] = li.querySelectorAll("label");
    area.id = "text-" + section.dataset.block + "-" + id;
    textLabel.setAttribute("for", area.id);
    area.value = text;
    const seg = li.querySelector('[data-role="segment"]');
    if (section.dataset.block === segmentsBlock) {
      seg.remove(); segmentLabel.remove();  // a segment has no segment
    } else {
      seg.id = "seg-" + section.dataset.block + "-" + id;
      segmentLabel.setAttribute("for", seg.id);
      offerSegments(seg, segmentNotes());
      seg.value = segment || "";
    }
    list.appendChild(li);
    renumber(section);
    return li;
  }

  board.addEventListener("input", (e) => {
    if (e.target.closest(".add-note")) return;
    if (e.target.closest('[data-block="' + segmentsBlock + '"]')) refreshSegments();
    schedule();
  });
  board.addEventListener("change", (e) => {
    if (e.target.closest(".add-note")) return;
    if (e.target.matches("select.segment-select")) refreshSegments();
    schedule();
  });

  board.addEventListener("click", (e) => {
    const button = e.target.closest("button");
    if (!button) return;
    const section = button.closest("[data-block]");
    const li = button.closest(".note");
    if (button.dataset.move && li) {
      e.preventDefault();
      const sibling = button.dataset.move === "up" ? li.previousElementSibling : li.nextElementSibling;
      if (sibling) {
        if (button.dataset.move === "up") sibling.before(li); else sibling.after(li);
        renumber(section);
        button.focus();
        saveNow();
      }
    } else if (button.hasAttribute("data-delete") && li) {
      e.preventDefault();
      const next = li.nextElementSibling || li.previousElementSibling;
      li.remove();
      renumber(section);
      refreshSegments();
      (next ? next.querySelector("textarea") : section.querySelector(".add-note textarea")).focus();
      saveNow();
    } else if (button.hasAttribute("data-add")) {
      e.preventDefault();
      const form = button.closest(".add-note");
      const area = form.querySelector("textarea");
      if (!area.value.trim()) { area.focus(); return; }
      const select = form.querySelector("select");
      newNote(section, area.value, select ? select.value : "");
      refreshSegments();
      area.value = "";
      area.focus();
      saveNow();
    }
  });

  // Enter in the "add a note" box adds it; Shift+Enter makes a new line.
  board.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && e.target.closest(".add-note") && e.target.tagName === "TEXTAREA") {
      e.preventDefault();
      e.target.closest(".add-note").querySelector("[data-add]").click();
    }
  });

  // Mouse: drag a note within or across blocks.
  let dragged = null;
  board.addEventListener("dragstart", (e) => {
    const li = e.target.closest && e.target.closest(".note");
    if (!li || e.target.tagName === "TEXTAREA") return;
    dragged = li; li.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", li.dataset.item);
  });
  board.addEventListener("dragover", (e) => {
    if (!dragged) return;
    const list = e.target.closest && e.target.closest("[data-block]");
    if (!list) return;
    e.preventDefault();
    const over = e.target.closest(".note");
    const notes = list.querySelector(".notes");
    if (over && over !== dragged) {
      const box = over.getBoundingClientRect();
      if (e.clientY < box.top + box.height / 2) over.before(dragged); else over.after(dragged);
    } else if (!over) notes.appendChild(dragged);
  });
  board.addEventListener("dragend", () => {
    if (!dragged) return;
    dragged.classList.remove("dragging");
    for (const section of board.querySelectorAll("[data-block]")) renumber(section);
    refreshSegments();
    dragged = null;
    saveNow();
  });

  conflictBox.querySelector('[data-conflict="keep"]').addEventListener("click", () => {
    version = Number(board.dataset.theirs); conflict = false; conflictBox.hidden = true; save(true);
  });
  conflictBox.querySelector('[data-conflict="reload"]').addEventListener("click", () => { forget(); });
  window.addEventListener("online", () => { if (status.dataset.state === "offline") save(); });
  window.addEventListener("beforeunload", (e) => {
    if (["dirty", "saving", "offline"].includes(status.dataset.state)) { save(); e.preventDefault(); e.returnValue = ""; }
  });

  // Put the board in the state of a local copy: notes in its order, texts and segments.
  function applyBlocks(blocks) {
    const existing = new Map([...board.querySelectorAll(".note")].map((li) => [li.dataset.item, li]));
    const placed = new Set();
    const segmentOf = new Map();
    for (const section of board.querySelectorAll("[data-block]")) {
      const wanted = blocks[section.dataset.block];
      if (!Array.isArray(wanted)) continue;
      const list = section.querySelector(".notes");
      for (const item of wanted) {
        if (!item || typeof item.id !== "string" || placed.has(item.id)) continue;
        let li = existing.get(item.id);
        if (li && li.closest("[data-block]") === section) {
          li.querySelector('[data-role="text"]').value = String(item.text || "");
          list.appendChild(li);
        } else {
          li = newNote(section, String(item.text || ""), "", item.id);
        }
        placed.add(item.id);
        segmentOf.set(li, item.segment || "");
      }
    }
    for (const [id, li] of existing) if (!placed.has(id)) li.remove();
    for (const section of board.querySelectorAll("[data-block]")) renumber(section);
    refreshSegments();  // the segment menus now offer the restored segments
    for (const [li, segment] of segmentOf) {
      const select = li.querySelector('[data-role="segment"]');
      if (select) select.value = segment;
    }
    refreshSegments();  // and the colour tags follow the chosen segments
  }

  // Notes changed while offline (or before a crash or a closed tab) that never reached the
  // server. A copy the server already holds (its save landed as the tab closed) is no conflict.
  try {
    const pending = JSON.parse(localStorage.getItem(storeKey) || "null");
    if (pending && pending.blocks && typeof pending.blocks === "object") {
      if (JSON.stringify(pending.blocks) === JSON.stringify(collect())) forget();
      else {
        applyBlocks(pending.blocks);
        edits += 1;
        if (pending.version === version) save();
        else {
          conflict = true; board.dataset.theirs = version;
          conflictBox.hidden = false; setStatus("Not saved yet", "conflict");
        }
      }
    }
  } catch (e) { forget(); }
})();
