// The class picture: choosing a bar or a dot of a chart finds its row in the table beside
// the chart, where the student's name links to their work. (The tooltip names them too;
// the tables hold the same data for keyboards and screen readers.)
for (const mark of document.querySelectorAll("svg.chart .point[data-row]")) {
  mark.addEventListener("click", () => {
    const row = document.getElementById(mark.dataset.row);
    if (!row) return;
    for (const old of document.querySelectorAll("tr.picked")) old.classList.remove("picked");
    row.classList.add("picked");
    row.scrollIntoView({ block: "center", behavior: "smooth" });
    const link = row.querySelector("a");
    if (link) link.focus({ preventScroll: true });
  });
}
