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
