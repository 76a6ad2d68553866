// On every page: warn before signing out while this browser holds unsent text of the user.
import { hasUnsent, signedInUser } from "./save-core.js";

const signOut = document.getElementById("sign-out");
if (signOut) {
  signOut.addEventListener("submit", (event) => {
    const user = signedInUser();
    if (user && hasUnsent(user) && !window.confirm(signOut.dataset.unsent)) event.preventDefault();
  });
}
