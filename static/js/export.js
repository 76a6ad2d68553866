// Say that a PDF is on its way: rendering takes a moment, and a download shows no new page.
(function () {
  "use strict";
  const form = document.querySelector(".export-form");
  const status = document.getElementById("export-status");
  if (!form || !status) return;
  form.addEventListener("submit", () => {
    status.hidden = false;
    status.textContent = status.dataset.making;
    clearTimeout(form.statusTimer);
    form.statusTimer = setTimeout(() => { status.textContent = ""; status.hidden = true; }, 8000);
  });
})();
