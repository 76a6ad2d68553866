// After an account is deleted: drop the unsent copies the editors keep in localStorage
// ("canvas:..." keys), for browsers that ignore the Clear-Site-Data header.
(function () {
  "use strict";
  try {
    const keys = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key && key.startsWith("canvas:")) keys.push(key);
    }
    keys.forEach((key) => localStorage.removeItem(key));
  } catch (e) { /* storage blocked: nothing was kept */ }
})();
