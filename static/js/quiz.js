// Self-checks checked in place: the form is posted as usual, but for JSON, and the feedback
// replaces the question's feedback box (a live region, so it is read out). The page works
// without this script: the form posts and the page comes back with the feedback.
const forms = document.querySelectorAll("form.quiz");

const fallBack = (form) => form.submit(); // submit() does not fire "submit" again

for (const form of forms) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    let data;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const type = response.headers.get("Content-Type") || "";
      if (!type.startsWith("application/json") || (response.status !== 200 && response.status !== 422)) {
        fallBack(form);
        return;
      }
      data = await response.json();
    } catch {
      fallBack(form);
      return;
    } finally {
      if (button) button.disabled = false;
    }
    const asked = form.querySelector("input[name=asked]");
    if (data.message && asked) {
      const box = document.getElementById("q-" + asked.value + "-feedback");
      if (box) {
        const note = document.createElement("p");
        note.className = "notice";
        note.textContent = data.message;
        box.replaceChildren(note);
      }
    }
    for (const [question, answer] of Object.entries(data.answers || {})) {
      const box = document.getElementById("q-" + question + "-feedback");
      if (box) box.innerHTML = answer.html;
    }
    const score = form.querySelector("#self-check-score");
    if (score) {
      if (data.message) {
        const note = document.createElement("p");
        note.className = "notice";
        note.textContent = data.message;
        score.replaceChildren(note);
      } else if (data.score_html != null) {
        score.innerHTML = data.score_html;
      }
    }
  });
}
