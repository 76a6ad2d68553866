// What the form editors (a worksheet step, a teacher's marking) share as adapters of the save
// protocol (save-core.js): reading a form's inputs, putting values back, and describing two
// versions of them, answer by answer, for the conflict view.
export function formFields(form, skip) {
  const named = (name) => form.querySelectorAll('[name="' + CSS.escape(name) + '"]');

  const collect = () => {
    const fields = {};
    for (const el of form.elements) {
      if (!el.name || skip.includes(el.name) || el.closest("#conflict")) continue;
      if (el.type === "checkbox") fields[el.name] = el.checked;
      else if (el.type === "radio") {
        if (el.checked) fields[el.name] = el.value;
        else if (!(el.name in fields)) fields[el.name] = "";
      } else if (el.type !== "submit" && el.type !== "button") fields[el.name] = el.value;
    }
    return fields;
  };

  const apply = (fields) => {
    for (const [name, value] of Object.entries(fields)) {
      for (const el of named(name)) {
        if (el.type === "checkbox") el.checked = !!value;
        else if (el.type === "radio") el.checked = el.value === (value ?? "");
        else el.value = value == null ? "" : value;
      }
    }
  };

  const labelFor = (el) => {
    const label = form.querySelector('label[for="' + CSS.escape(el.id) + '"]');
    return label ? label.textContent.trim() : null;
  };
  const labelOf = (name) => {
    const el = named(name)[0];
    if (!el) return name;
    if (el.type === "radio") {
      const legend = el.closest("fieldset") && el.closest("fieldset").querySelector("legend");
      return legend ? legend.textContent.trim() : name;
    }
    return labelFor(el) || name;
  };
  const choiceText = (name, value) => {
    for (const el of named(name)) {
      if (el.tagName === "SELECT") {
        const option = [...el.options].find((o) => o.value === value);
        return option ? option.textContent : value;
      }
      if (el.type === "radio" && el.value === (value ?? "")) return labelFor(el) || value;
    }
    return value;
  };

  // The answers that differ between my version and the stored one, as the conflict view's rows.
  const describe = (mine, theirs) => {
    const rows = [];
    for (const name of new Set([...Object.keys(mine), ...Object.keys(theirs || {})])) {
      const a = mine[name], b = (theirs || {})[name];
      const el = named(name)[0];
      if (!el) continue;
      if (el.type === "checkbox") {
        if (!!a !== !!b) rows.push({ key: name, label: labelOf(name), mine: !!a, theirs: !!b, kind: "flag" });
      } else if (String(a ?? "") !== String(b ?? "")) {
        const choice = el.type === "radio" || el.tagName === "SELECT";
        rows.push({ key: name, label: labelOf(name), kind: choice ? "choice" : "text",
                    mine: choice ? choiceText(name, a) : a, theirs: choice ? choiceText(name, b) : b });
      }
    }
    return rows;
  };
  // My version with each row's choice applied: theirs, or a value edited in the conflict view.
  const merge = (mine, theirs, choices) => {
    const out = { ...mine };
    for (const [name, choice] of Object.entries(choices)) {
      if (choice.side === "theirs") out[name] = (theirs || {})[name];
      else if (choice.value !== undefined) out[name] = choice.value;
    }
    return out;
  };

  return { named, collect, apply, labelOf, choiceText, describe, merge };
}
