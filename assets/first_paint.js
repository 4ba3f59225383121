// First paint of a signed-in page (inlined in every page's <head>, see fluxkit/components/first_paint.py).
// The server sends display hints with the page (the `fluxkit.ui` cookie, services/ui_hints.py):
// the saved theme and accent, the active organization's name, whether the user is an admin.
// Applied here, before anything is painted, so the page never flashes the light theme, the
// default accent, "Personal" or a sidebar without the admin's items. Display only: the page's
// state replaces all of it as soon as it arrives, and nothing here is trusted by the server.
(function () {
  try {
    var found = document.cookie.match(/(?:^|;\s*)fluxkit\.ui=([^;]*)/);
    var root = document.documentElement;
    if (!found) {
      // No hints: nobody signed in on this browser (sign-in sets them, sign-out clears them).
      // Where the page's HTML came without the server's sign-in check (development mode, a
      // static host), the signed-in shell stays hidden until its state says who is here.
      root.setAttribute("data-fk-guest", "1");
      return;
    }
    var hints = new URLSearchParams(decodeURIComponent(found[1]));
    var css = "";
    var theme = hints.get("t");
    if (theme === "light" || theme === "dark" || theme === "system") {
      // Reflex's ThemeProvider starts from the saved mode: the same one, so no switch later.
      localStorage.setItem("theme", theme);
      var mode = theme;
      if (mode === "system") mode = matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
      root.classList.remove("light", "dark");
      root.classList.add(mode);
      root.style.colorScheme = mode;
    }
    var accent = hints.get("a") || "";
    if (/^[a-z]+$/.test(accent) && accent !== "violet") {
      // Until the state has loaded, the shell's theme is marked pending and shows this accent.
      var vars = [];
      for (var n = 1; n <= 12; n++) {
        vars.push("--accent-" + n + ":var(--" + accent + "-" + n + ")");
        vars.push("--accent-a" + n + ":var(--" + accent + "-a" + n + ")");
      }
      ["contrast", "surface", "indicator", "track"].forEach(function (key) {
        vars.push("--accent-" + key + ":var(--" + accent + "-" + key + ")");
      });
      css += "[data-appearance=pending][data-accent-color=violet]{" + vars.join(";") + "}";
    }
    if (hints.get("adm") === "1") root.setAttribute("data-fk-admin", "1");
    if (hints.has("o")) {
      // The sidebar's organization: its name, or "Personal" when none is active.
      root.style.setProperty("--fk-org", JSON.stringify(hints.get("o") || "Personal"));
    }
    if (css) {
      var style = document.createElement("style");
      style.textContent = css;
      document.head.appendChild(style);
    }
  } catch (e) {
    // No hints (cookies or storage blocked): the page shows its skeletons until the state arrives.
  }
})();
