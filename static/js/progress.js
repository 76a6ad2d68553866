// The progress table: one box ticks everyone shown, and returning work for revision asks
// first (the students see it at once). Without this script each box is ticked by hand.
const form = document.getElementById("bulk");
const all = document.getElementById("select-all");

if (form && all) {
  document.documentElement.classList.add("js");
  const boxes = () => [...form.querySelectorAll("input.pick")];
  all.addEventListener("change", () => {
    for (const box of boxes()) box.checked = all.checked;
  });
  form.addEventListener("change", (event) => {
    if (!event.target.matches("input.pick")) return;
    const list = boxes();
    all.checked = list.length > 0 && list.every((box) => box.checked);
    all.indeterminate = !all.checked && list.some((box) => box.checked);
  });
  form.addEventListener("submit", (event) => {
    const message = event.submitter && event.submitter.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
}
