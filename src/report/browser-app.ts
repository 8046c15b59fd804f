/**
 * The sample browser's script, inlined into the report as text (the page needs no server and no
 * network). It decodes the gzipped columns (DecompressionStream), filters them by run, task, model,
 * outcome and text, and shows only the rows in view (a virtual list: 100,000 rows cost what 30 do).
 * Data is only ever put in the page as text (textContent), never as HTML.
 */
export const BROWSER_APP = String.raw`
(async () => {
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined && text !== null) e.textContent = String(text); return e; };
  const meta = JSON.parse($("report-meta").textContent);
  const bytes = Uint8Array.from(atob($("report-samples").textContent.trim()), (ch) => ch.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  const c = JSON.parse(await new Response(stream).text());
  const S = c.strings;
  const N = c.run.length;
  const str = (i) => (i === -1 || i === undefined ? null : S[i]);
  const json = (i) => (i === -1 ? null : JSON.parse(S[i]));
  const label = (r) => (meta.runs.length > 1 ? meta.runs[c.run[r]] + " · " : "") + S[c.model[r]];

  // Filter options, from the data.
  const fill = (select, values) => { for (const [v, t] of values) { const o = el("option", null, t); o.value = v; select.appendChild(o); } };
  const distinct = (col) => [...new Set(c[col])].filter((i) => i !== -1).map((i) => [String(i), S[i]]).sort((a, b) => a[1].localeCompare(b[1]));
  if (meta.runs.length > 1) fill($("f-run"), meta.runs.map((r, i) => [String(i), r])); else $("f-run").parentElement.hidden = true;
  fill($("f-task"), distinct("task"));
  fill($("f-model"), distinct("model"));
  fill($("f-category"), distinct("category"));
  if ($("f-category").options.length <= 1) $("f-category").parentElement.hidden = true;

  // Text search: the strings that match, once per query; a row matches when its id, input, response or conversation does.
  let matchCache = { q: null, set: null };
  const matching = (q) => {
    if (matchCache.q === q) return matchCache.set;
    const set = new Uint8Array(S.length);
    for (let i = 0; i < S.length; i++) if (S[i].toLowerCase().includes(q)) set[i] = 1;
    matchCache = { q, set };
    return set;
  };

  let view = new Uint32Array(0);
  let selected = -1;
  const apply = () => {
    const fr = $("f-run").value, ft = $("f-task").value, fm = $("f-model").value, fc = $("f-category").value, fo = $("f-outcome").value;
    const q = $("f-search").value.trim().toLowerCase();
    const hit = q ? matching(q) : null;
    const out = new Uint32Array(N);
    let n = 0;
    for (let r = 0; r < N; r++) {
      if (fr !== "" && c.run[r] !== +fr) continue;
      if (ft !== "" && c.task[r] !== +ft) continue;
      if (fm !== "" && c.model[r] !== +fm) continue;
      if (fc !== "" && c.category[r] !== +fc) continue;
      if (fo === "correct" && c.correct[r] !== 1) continue;
      if (fo === "incorrect" && c.correct[r] !== 0) continue;
      if (fo === "error" && c.ok[r] !== 0) continue;
      if (fo === "disagree" && c.disagree[r] !== 1) continue;
      if (hit && !(hit[c.id[r]] || hit[c.input[r]] || (c.response[r] !== -1 && hit[c.response[r]]) || (c.transcript[r] !== -1 && hit[c.transcript[r]]))) continue;
      out[n++] = r;
    }
    view = out.subarray(0, n);
    $("count").textContent = n.toLocaleString("en-US") + " of " + N.toLocaleString("en-US") + " samples";
    $("list-spacer").style.height = n * ROW + "px";
    $("list").scrollTop = 0;
    draw();
    if (n > 0 && !view.includes(selected)) show(view[0]);
    if (n === 0) { selected = -1; $("detail").replaceChildren(el("p", "muted", "No sample matches these filters.")); }
  };

  // A prompt's end is where its question is (few-shot examples and descriptions come first).
  const tail = (text) => { const t = text.replace(/\s+/g, " ").trim(); return t.length > 120 ? "…" + t.slice(-120) : t; };
  // The virtual list: only the rows in view exist in the DOM.
  const ROW = 30;
  const list = $("list"), rowsBox = $("list-rows");
  const draw = () => {
    const first = Math.floor(list.scrollTop / ROW);
    const count = Math.ceil(list.clientHeight / ROW) + 2;
    const frag = document.createDocumentFragment();
    for (let k = first; k < Math.min(view.length, first + count); k++) {
      const r = view[k];
      const row = el("div", "row" + (r === selected ? " selected" : ""));
      row.style.top = k * ROW + "px";
      row.dataset.row = String(r);
      const mark = c.ok[r] === 0 ? ["bad", "error"] : c.correct[r] === 1 ? ["good", "✓"] : c.correct[r] === 0 ? ["bad", "✗"] : ["muted", c.main[r] === null ? "–" : String(+c.main[r].toFixed(3))];
      row.append(el("span", "mark " + mark[0], mark[1]), el("span", "rid", S[c.id[r]]), el("span", "rmodel", label(r)), el("span", "rtext", tail(S[c.input[r]] || "")));
      if (c.disagree[r]) row.appendChild(el("span", "tag", "disagree"));
      frag.appendChild(row);
    }
    rowsBox.replaceChildren(frag);
  };
  list.addEventListener("scroll", () => requestAnimationFrame(draw));
  rowsBox.addEventListener("click", (e) => { const row = e.target.closest(".row"); if (row) show(+row.dataset.row); });
  window.addEventListener("resize", draw);

  const block = (title, text, cls) => { const d = el("div", "block"); d.append(el("h4", null, title), el("pre", cls, text)); return d; };
  const kv = (pairs) => { const t = el("table", "kv"); for (const [k, v] of pairs) { if (v === null || v === undefined || v === "") continue; const tr = el("tr"); tr.append(el("th", null, k), el("td", null, v)); t.appendChild(tr); } return t; };
  const show = (r) => {
    selected = r;
    draw();
    const d = $("detail");
    const head = el("div", "dhead");
    head.append(el("h3", null, S[c.id[r]]), el("span", "muted", S[c.task[r]] + " · " + label(r) + (c.repeat[r] ? " · repeat " + c.repeat[r] : "") + (c.category[r] !== -1 ? " · " + S[c.category[r]] : "")));
    const parts = [head];
    const transcript = json(c.transcript[r]);
    if (transcript) {
      const conv = el("div", "block");
      conv.appendChild(el("h4", null, "Conversation"));
      for (const m of transcript) {
        const turn = el("div", "turn " + m.role);
        turn.appendChild(el("div", "role", m.role + (m.name ? " (" + m.name + ")" : "") + (m.tool_call_id ? " · " + m.tool_call_id : "")));
        if (m.content) turn.appendChild(el("pre", null, typeof m.content === "string" ? m.content : JSON.stringify(m.content, null, 2)));
        for (const call of m.tool_calls || []) turn.appendChild(el("pre", "call", "→ " + call.function.name + "(" + call.function.arguments + ")" + (call.id ? "  [" + call.id + "]" : "")));
        conv.appendChild(turn);
      }
      parts.push(conv);
    } else parts.push(block("Prompt", S[c.input[r]] || ""));
    const media = json(c.media[r]);
    if (media) {
      const box = el("div", "block media");
      box.appendChild(el("h4", null, "Media"));
      for (const m of media) {
        if (m.src) { const img = el("img", "thumb"); img.src = m.src; img.alt = String(m.source || "image"); img.title = String(m.source || ""); box.appendChild(img); }
        else box.appendChild(el("div", "muted", (m.type || "media") + ": " + (m.source || m.sha256 || "")));
      }
      parts.push(box);
    }
    if (c.ok[r] === 0) parts.push(block("Error", (str(c.errorType[r]) || "error") + ": " + (str(c.errorMessage[r]) || ""), "bad"));
    else if (!transcript) parts.push(block("Response", str(c.response[r]) ?? ""));
    const filtered = json(c.filtered[r]);
    const scores = json(c.scores[r]);
    parts.push(kv([
      ["target", str(c.target[r])],
      ...Object.entries(filtered || {}).map(([k, v]) => ["filtered · " + k, v]),
      ...Object.entries(scores || {}).map(([k, v]) => ["score · " + k, String(v)]),
    ]));
    const judge = json(c.judge[r]);
    if (judge) for (const j of judge) parts.push(block("Judge, turn " + j.turn + (j.rating !== null ? " · rating " + j.rating : ""), j.judgment || ""));
    const num = (v, unit, digits) => (v === null || v === undefined ? null : (+v).toFixed(digits) + unit);
    parts.push(kv([
      ["E2E", num(c.e2e[r], " ms", 1)], ["TTFT", num(c.ttft[r], " ms", 1)], ["TPOT", num(c.tpot[r], " ms", 2)], ["queue", num(c.queue[r], " ms", 1)],
      ["attempts", c.attempts[r]], ["tokens in / out", c.promptTokens[r] === null ? null : c.promptTokens[r] + " / " + c.completionTokens[r]],
      ["cost", c.cost[r] === null ? null : "$" + c.cost[r].toFixed(6)], ["ended", c.endedAt[r] ? new Date(c.endedAt[r]).toISOString() : null],
    ]));
    d.replaceChildren(...parts);
  };

  for (const id of ["f-run", "f-task", "f-model", "f-category", "f-outcome"]) $(id).addEventListener("change", apply);
  let timer;
  $("f-search").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(apply, 200); });
  apply();
  document.body.dataset.ready = "1";
})().catch((e) => { document.getElementById("detail").textContent = "The sample browser could not start: " + e; throw e; });
`;
