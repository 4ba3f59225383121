// FluxKit's few lines of browser code: post a form to a JSON auth route so the
// HttpOnly session cookie is set by an HTTP response (never by JavaScript).
window.fluxkit = {
  apiBase(apiUrl) {
    const base = new URL(apiUrl, window.location.href);
    if (["localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]"].includes(base.hostname)) {
      base.hostname = window.location.hostname;
    }
    if (window.location.protocol === "https:" && base.protocol === "http:") {
      base.protocol = "https:";
      base.port = "";
    }
    return base;
  },
  async post(apiUrl, path, formId, extra) {
    const data = {};
    const form = formId ? document.getElementById(formId) : null;
    if (form) {
      new FormData(form).forEach((value, key) => {
        data[key] = value;
      });
    }
    Object.assign(data, extra || {});
    try {
      const response = await fetch(new URL(path, this.apiBase(apiUrl)), {
        method: "POST",
        credentials: "include",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(data),
      });
      let body = null;
      try {
        body = await response.json();
      } catch (e) {
        body = null;
      }
      return { status: response.status, body: body };
    } catch (e) {
      return { status: 0, body: null };
    }
  },
};

// Command palette (fluxkit/components/palette.py): Ctrl/⌘-K on any signed-in page clicks its
// hidden trigger; in its search box, ↑/↓/Enter click hidden buttons, so only those keys reach
// the server. The box's own Enter handling sends the typed text first, so Enter acts on the
// results of what was typed.
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && (event.key || "").toLowerCase() === "k") {
    const trigger = document.getElementById("palette-hotkey");
    if (trigger) {
      event.preventDefault();
      trigger.click();
    }
    return;
  }
  const target = event.target;
  if (!target || target.id !== "palette-input" || event.isComposing) return;
  const button = { ArrowDown: "palette-next", ArrowUp: "palette-prev", Enter: "palette-run" }[event.key];
  if (button) {
    event.preventDefault();
    document.getElementById(button)?.click();
  }
});

// Chat presence (fluxkit/components/chat_badge.py): press the shell's hidden heartbeat button
// every data-every-ms while a signed-in page is open. The page's on_load event sent the first.
setInterval(() => {
  const beat = document.getElementById("chat-heartbeat");
  const now = Date.now();
  if (!beat) {
    window.__fkLastBeat = undefined;
    return;
  }
  if (window.__fkLastBeat === undefined) {
    window.__fkLastBeat = now;
    return;
  }
  if (now - window.__fkLastBeat >= (Number(beat.dataset.everyMs) || 60000)) {
    window.__fkLastBeat = now;
    beat.click();
  }
}, 1000);
