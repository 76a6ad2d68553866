// The class ZIP's progress bar: ask the server for the job's state until the ZIP is made,
// then offer the download. Without this script the page reloads itself (a <noscript>
// refresh) and has a "Check again" link; the job's id is in the address either way.
const box = document.getElementById("zip-job");

if (box) {
  document.documentElement.classList.add("js");
  const bar = document.getElementById("zip-progress");
  const words = document.getElementById("zip-words");
  const ready = document.getElementById("zip-ready");
  const link = document.getElementById("zip-download");
  const again = document.getElementById("zip-again");
  let pause = 1000;

  const showFallback = () => {
    // Offline, signed out or a server error: the plain link still finds the job.
    again.classList.remove("nojs-only");
    again.hidden = false;
  };

  const poll = async () => {
    let state;
    try {
      const response = await fetch(box.dataset.statusUrl, {
        headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store",
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || !type.includes("application/json")) throw new Error(String(response.status));
      state = await response.json();
    } catch (error) {
      showFallback();
      pause = Math.min(pause * 2, 10000);
      setTimeout(poll, pause);
      return;
    }
    pause = 1000;
    box.dataset.state = state.state;
    if (state.total) {
      bar.max = state.total;
      bar.value = state.done;
    }
    bar.removeAttribute("aria-busy");
    if (words.textContent !== state.words) words.textContent = state.words;
    if (state.state === "done" && state.download) {
      link.href = state.download;
      ready.hidden = false;
      again.hidden = true;
      return;
    }
    if (state.finished) {
      window.location.reload(); // failed: the page offers to try again
      return;
    }
    setTimeout(poll, pause);
  };

  if (box.dataset.state === "queued" || box.dataset.state === "running") setTimeout(poll, 300);
}
