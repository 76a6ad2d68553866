// The canvas board's adapter to the save protocol (save-core.js): edit notes in place, add,
// delete (with undo), reorder (buttons or drag and drop), and save all blocks as one
// versioned document. Without this script every button posts its own form.
import { createSaver } from "./save-core.js";

const board = document.getElementById("board");

// A locked board (handed-in work) is shown, not edited: its fieldset disables every control.
if (board && !("locked" in board.dataset)) {
  document.documentElement.classList.add("js");
  const words = JSON.parse(document.getElementById("board-words").textContent);
  const paletteSize = Number(board.dataset.paletteSize) || 8;
  const segmentsBlock = board.dataset.segmentsBlock;
  const undoBox = document.getElementById("board-undo");
  let counter = 0;

  const say = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key]);

  // Segment menus and colour tags follow the Customer Segments notes as they change.
  const segmentNotes = () => [...board.querySelectorAll('[data-block="' + segmentsBlock + '"] .note')];

  function setTag(li, index) {
    for (const name of [...li.classList]) if (/^tag-\d+$/.test(name)) li.classList.remove(name);
    if (index !== null && index !== undefined) li.classList.add("tag-" + index);
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
    const tags = {};
    notes.forEach((li, n) => { tags[li.dataset.item] = n % paletteSize; setTag(li, tags[li.dataset.item]); });
    for (const select of board.querySelectorAll("select.segment-select")) {
      const chosen = select.value;
      offerSegments(select, notes);
      select.value = chosen in tags ? chosen : "";
      const note = select.closest(".note");
      if (note && !note.closest('[data-block="' + segmentsBlock + '"]')) {
        setTag(note, select.value ? tags[select.value] : null);
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

  function renumber(section) {
    // Labels name notes by position; keep them true after a move.
    const block = section.querySelector("h2").textContent;
    section.querySelectorAll(".note").forEach((li, index) => {
      const n = index + 1;
      const [textLabel, segmentLabel] = li.querySelectorAll("label");
      textLabel.textContent = say(words.note, { n, block });
      if (segmentLabel) segmentLabel.textContent = say(words.segment_of, { n, block });
      li.querySelector("[data-move=up]").setAttribute("aria-label", say(words.up, { n }));
      li.querySelector("[data-move=down]").setAttribute("aria-label", say(words.down, { n }));
      li.querySelector("[data-delete]").setAttribute("aria-label", say(words.delete, { n }));
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

  // Put the board in the state of a document: notes in its order, texts and segments.
  function apply(blocks) {
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
          if (li) li.remove();
          li = newNote(section, String(item.text || ""), "", item.id);
        }
        placed.add(item.id);
        segmentOf.set(li, item.segment || "");
      }
    }
    for (const [id, li] of existing) if (!placed.has(id)) li.remove();
    for (const section of board.querySelectorAll("[data-block]")) renumber(section);
    refreshSegments();  // the segment menus now offer the document's segments
    for (const [li, segment] of segmentOf) {
      const select = li.querySelector('[data-role="segment"]');
      if (select) select.value = segment;
    }
    refreshSegments();  // and the colour tags follow the chosen segments
  }

  const blockName = (blockId) => {
    const title = document.getElementById("title-" + blockId);
    return title ? title.textContent : blockId;
  };

  // A conflict row per note that differs between the two versions: changed on both sides,
  // or there on one side only (then keeping the side that has it is the default).
  function describe(mine, theirs) {
    const index = (doc) => {
      const found = new Map();
      for (const [block, items] of Object.entries(doc || {})) {
        for (const item of items || []) found.set(item.id, { block, ...item });
      }
      return found;
    };
    const a = index(mine), b = index(theirs);
    const rows = [];
    for (const id of new Set([...a.keys(), ...b.keys()])) {
      const x = a.get(id), y = b.get(id);
      if (x && y && x.text === y.text && (x.segment || null) === (y.segment || null)) continue;
      const label = say(words.note_in, { block: blockName((x || y).block) });
      rows.push({ key: id, label, kind: "text", mine: x ? x.text : null, theirs: y ? y.text : null,
                  prefer: x ? "mine" : "theirs" });
    }
    return rows;
  }

  function merge(mine, theirs, choices) {
    const out = {};
    for (const [block, items] of Object.entries(theirs || {})) out[block] = (items || []).map((i) => ({ ...i }));
    const where = new Map();
    for (const [block, items] of Object.entries(out)) items.forEach((item) => where.set(item.id, block));
    for (const [block, items] of Object.entries(mine || {})) {
      for (const item of items || []) {
        const choice = choices[item.id];
        if (!choice) continue;
        if (choice.side === "theirs") continue;
        const text = choice.value !== undefined ? choice.value : item.text;
        const at = where.get(item.id);
        if (at) {
          const target = out[at].find((i) => i.id === item.id);
          target.text = text; target.segment = item.segment || null;
        } else {
          (out[block] = out[block] || []).push({ id: item.id, text, segment: item.segment || null });
        }
      }
    }
    // A note only the other version has, and the person chose "keep yours": it goes.
    for (const [id, choice] of Object.entries(choices)) {
      const inMine = Object.values(mine || {}).some((items) => (items || []).some((i) => i.id === id));
      if (!inMine && choice.side === "mine" && where.has(id)) {
        out[where.get(id)] = out[where.get(id)].filter((i) => i.id !== id);
      }
    }
    return out;
  }

  const status = document.getElementById("board-status");
  const saver = createSaver({
    url: board.dataset.saveUrl, kind: "board", objectId: board.dataset.canvas,
    version: board.dataset.version, debounceMs: parseInt(board.dataset.debounce, 10),
    words: JSON.parse(document.getElementById("save-words").textContent),
    statusEl: status, conflictBox: document.getElementById("conflict"),
    signInLink: document.getElementById("sign-in-again"),
    collect, apply, describe, merge,
    body: (blocks, version) => ({ version, blocks }),
    redraw: (data) => {
      if (data.findings_html != null) document.getElementById("findings").innerHTML = data.findings_html;
    },
    showErrors: (errors) => {
      const messages = Object.values(errors).flat();
      if (messages.length) status.dataset.detail = messages.join(" ");
    },
    onVersion: (version) => {
      board.dataset.version = version;
      for (const input of document.querySelectorAll(".version-field")) input.value = version;
    },
  });

  board.addEventListener("input", (e) => {
    if (e.target.closest(".add-note")) return;
    if (e.target.closest('[data-block="' + segmentsBlock + '"]')) refreshSegments();
    saver.schedule();
  });
  board.addEventListener("change", (e) => {
    if (e.target.closest(".add-note")) return;
    if (e.target.matches("select.segment-select")) refreshSegments();
    saver.schedule();
  });

  let undoTimer = null, lastDeleted = null;

  function offerUndo(li, list, before) {
    lastDeleted = { li, list, before };
    undoBox.hidden = false;
    clearTimeout(undoTimer);
    undoTimer = setTimeout(() => { undoBox.hidden = true; lastDeleted = null; }, 15000);
  }

  undoBox.querySelector("[data-undo]").addEventListener("click", () => {
    if (!lastDeleted) return;
    const { li, list, before } = lastDeleted;
    if (before && before.parentNode === list) list.insertBefore(li, before); else list.appendChild(li);
    renumber(list.closest("[data-block]"));
    refreshSegments();
    undoBox.hidden = true;
    lastDeleted = null;
    li.querySelector("textarea").focus();
    saver.saveNow();
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
        saver.saveNow();
      }
    } else if (button.hasAttribute("data-delete") && li) {
      e.preventDefault();
      const list = li.parentNode;
      const next = li.nextElementSibling || li.previousElementSibling;
      offerUndo(li, list, li.nextElementSibling);
      li.remove();
      renumber(section);
      refreshSegments();
      (next ? next.querySelector("textarea") : section.querySelector(".add-note textarea")).focus();
      saver.saveNow();
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
      saver.saveNow();
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
    saver.saveNow();
  });

  saver.restore();
}
