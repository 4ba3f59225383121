"""/api/v1/docs: interactive API docs that need nothing from the internet.

FastAPI's Swagger UI page loads its script and styles from a CDN, which an offline or
locked-down install cannot reach. This page is self-contained: it reads openapi.json,
lists every operation with its parameters, body and answers, and can send a request
(with the browser's session, or with an API key typed into the page and kept only in
memory). The full spec is a link away for any OpenAPI tool.
"""

from __future__ import annotations

import html

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
  :root { color-scheme: light dark; --line: #8884; --muted: #888; }
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 1000px; padding: 1.5rem; }
  h1 { margin: 0 0 .25rem; } h2 { margin-top: 2rem; text-transform: capitalize; }
  code, pre, textarea, input { font: 13px/1.4 ui-monospace, monospace; }
  pre { background: #8881; padding: .75rem; overflow: auto; border-radius: 6px; max-height: 24rem; }
  details.op { border: 1px solid var(--line); border-radius: 8px; margin: .5rem 0; }
  details.op > summary { cursor: pointer; padding: .5rem .75rem; display: flex; gap: .75rem; align-items: baseline; }
  details.op > div { padding: 0 .75rem .75rem; }
  .m { font-weight: 700; min-width: 4.5rem; text-transform: uppercase; }
  .get { color: #2a7ae2; } .post { color: #1a9b55; } .patch { color: #c98400; } .delete { color: #d33; }
  .muted { color: var(--muted); } table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
  input, textarea { width: 100%; box-sizing: border-box; padding: .3rem; }
  td.value { width: 14rem; }
  button { padding: .35rem .9rem; cursor: pointer; } .bar { display: flex; gap: .5rem; align-items: center; }
</style>
</head>
<body>
<h1>__TITLE__</h1>
<p class="muted">Spec: <a href="openapi.json">openapi.json</a> (OpenAPI; import it into any client).
Authenticate with your browser session (sign in first) or an API key.</p>
<div class="bar"><label for="key">API key</label>
<input id="key" type="password" autocomplete="off" placeholder="fk_... (empty: use the session cookie)"></div>
<div id="ops"><p>Loading the spec...</p></div>
<script>
"use strict";
const el = (tag, attrs = {}, ...kids) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) { if (k === "class") node.className = v; else node.setAttribute(k, v); }
  for (const kid of kids) node.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  return node;
};
let spec;
const resolve = (schema, depth = 0) => {
  if (!schema || depth > 8) return schema;
  if (schema.$ref) return resolve(spec.components.schemas[schema.$ref.split("/").pop()], depth + 1);
  const out = Array.isArray(schema) ? [] : {};
  for (const [k, v] of Object.entries(schema)) out[k] = typeof v === "object" && v !== null ? resolve(v, depth + 1) : v;
  return out;
};
const example = (schema) => {
  schema = resolve(schema);
  if (!schema) return null;
  if (schema.examples) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return example(schema.anyOf[0]);
  if (schema.type === "object") {
    const out = {};
    for (const [k, v] of Object.entries(schema.properties || {})) {
      if ((schema.required || []).includes(k)) out[k] = example(v);
    }
    return out;
  }
  return { string: "", integer: 0, boolean: false, array: [] }[schema.type] ?? null;
};
const describe = (schema) => {
  schema = resolve(schema) || {};
  if (schema.anyOf) return schema.anyOf.map(describe).join(" or ");
  let text = schema.enum ? "one of: " + schema.enum.join(", ") : (schema.format || schema.type || "any");
  if (schema.minimum !== undefined || schema.maximum !== undefined)
    text += " (" + (schema.minimum ?? "") + ".." + (schema.maximum ?? "") + ")";
  if (schema.maxLength !== undefined) text += ", at most " + schema.maxLength + " characters";
  return text;
};
function operation(path, method, op) {
  const params = op.parameters || [];
  const inputs = {};
  const rows = params.map((p) => {
    const placeholder = p.schema && p.schema.default !== undefined ? String(p.schema.default) : "";
    const input = el("input", { placeholder });
    inputs[p.name] = input;
    return el("tr", {},
      el("td", {}, el("code", {}, p.name), p.required ? " *" : ""),
      el("td", { class: "muted" }, p.in),
      el("td", {}, (p.description ? p.description + " " : ""), el("span", { class: "muted" }, describe(p.schema))),
      el("td", { class: "value" }, input));
  });
  const bodySchema = op.requestBody && op.requestBody.content["application/json"].schema;
  const body = bodySchema ? el("textarea", { rows: 6 }) : null;
  if (body) body.value = JSON.stringify(example(bodySchema), null, 2);
  const answer = el("pre", { hidden: "" });
  const send = el("button", {}, "Send");
  send.onclick = async () => {
    let url = spec.servers && spec.servers[0] ? spec.servers[0].url : "";
    let target = path;
    const query = new URLSearchParams();
    for (const p of params) {
      const value = inputs[p.name].value;
      if (p.in === "path") target = target.replace("{" + p.name + "}", encodeURIComponent(value));
      else if (p.in === "query" && value !== "") query.set(p.name, value);
    }
    const headers = {};
    const key = document.getElementById("key").value.trim();
    if (key) headers["Authorization"] = "Bearer " + key;
    if (body) headers["Content-Type"] = "application/json";
    const qs = query.toString();
    const started = performance.now();
    try {
      const res = await fetch(url + target + (qs ? "?" + qs : ""), {
        method: method.toUpperCase(), headers, body: body ? body.value : undefined, credentials: "same-origin",
      });
      const text = await res.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) {}
      const took = Math.round(performance.now() - started);
      answer.textContent = res.status + " " + res.statusText + " (" + took + " ms)\\n\\n" + shown;
    } catch (e) {
      answer.textContent = "Request failed: " + e;
    }
    answer.hidden = false;
  };
  const responses = Object.entries(op.responses || {}).map(([code, r]) =>
    el("tr", {}, el("td", {}, el("code", {}, code)), el("td", {}, r.description || "")));
  const okSchema = Object.entries(op.responses || {}).find(([c]) => c.startsWith("2"));
  const shape = okSchema && okSchema[1].content
    ? JSON.stringify(resolve(okSchema[1].content["application/json"].schema), null, 2)
    : "";
  return el("details", { class: "op", id: op.operationId || "" },
    el("summary", {},
      el("span", { class: "m " + method }, method),
      el("code", {}, path),
      el("span", { class: "muted" }, op.summary || "")),
    el("div", {},
      op.description ? el("p", {}, op.description) : "",
      rows.length
        ? el("table", {},
            el("tr", {}, el("th", {}, "Parameter"), el("th", {}, "In"), el("th", {}, "About"), el("th", {}, "Value")),
            ...rows)
        : "",
      body ? el("div", {}, el("p", {}, "Body (JSON)"), body) : "",
      el("p", {}, "Answers"), el("table", {}, ...responses),
      shape ? el("details", {}, el("summary", {}, "Success body schema"), el("pre", {}, shape)) : "",
      el("p", {}, send), answer));
}
fetch("openapi.json").then((r) => r.json()).then((data) => {
  spec = data;
  const root = document.getElementById("ops");
  root.replaceChildren();
  if (spec.info && spec.info.description) root.append(el("p", {}, spec.info.description));
  const groups = {};
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || "other";
      (groups[tag] = groups[tag] || []).push(operation(path, method, op));
    }
  }
  for (const [tag, ops] of Object.entries(groups)) root.append(el("h2", {}, tag), ...ops);
}).catch((e) => { document.getElementById("ops").textContent = "Could not load openapi.json: " + e; });
</script>
</body>
</html>
"""


def page(title: str) -> str:
    return PAGE.replace("__TITLE__", html.escape(title))
