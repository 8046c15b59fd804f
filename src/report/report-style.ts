/** The report's stylesheet, inlined: readable tables, a sticky nav, the sample browser's two panes. */
export const REPORT_CSS = `
:root { --fg:#0f172a; --muted:#64748b; --line:#e2e8f0; --bg:#f8fafc; --card:#fff; --good:#15803d; --bad:#b91c1c; --accent:#1d4ed8; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
header { padding: 20px 32px 8px; background: var(--card); border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 4px; font-size: 22px; }
nav { position: sticky; top: 0; z-index: 5; background: var(--card); border-bottom: 1px solid var(--line); padding: 6px 32px; }
nav a { color: var(--accent); text-decoration: none; margin-right: 18px; font-weight: 500; }
main { padding: 8px 32px 48px; max-width: 1500px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 18px 0; }
section > h2 { margin: 0 0 4px; font-size: 18px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.muted { color: var(--muted); }
.note { color: var(--muted); font-size: 13px; margin: 2px 0 10px; }
table.data { border-collapse: collapse; margin: 6px 0 12px; font-variant-numeric: tabular-nums; }
table.data th, table.data td { padding: 4px 12px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
table.data th { background: var(--bg); font-weight: 600; }
table.data td.l, table.data th.l { text-align: left; }
td .bar { display:inline-block; height: 8px; background: #93c5fd; border-radius: 2px; vertical-align: middle; margin-left: 6px; }
.sig { color: #c2410c; font-weight: 600; }
.good { color: var(--good); } .bad { color: var(--bad); }
.grid { display: flex; flex-wrap: wrap; gap: 16px; }
.grid > div { flex: 1 1 420px; min-width: 380px; }
figure { margin: 0; }
.chips span { display:inline-block; background: var(--bg); border:1px solid var(--line); border-radius: 12px; padding: 1px 10px; margin: 2px 6px 2px 0; font-size: 13px; }
#browser { display: grid; grid-template-columns: minmax(380px, 46%) 1fr; gap: 14px; }
.filters { display: flex; flex-wrap: wrap; gap: 10px; align-items: end; margin: 8px 0 10px; }
.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
.filters select, .filters input { font: inherit; padding: 4px 6px; border: 1px solid #cbd5e1; border-radius: 5px; min-width: 130px; background: #fff; }
.filters input { min-width: 240px; }
#count { font-weight: 600; margin-left: auto; }
#list { position: relative; height: 70vh; overflow-y: auto; border: 1px solid var(--line); border-radius: 6px; }
#list-rows .row { position: absolute; left: 0; right: 0; height: 30px; display: flex; gap: 8px; align-items: center; padding: 0 8px; border-bottom: 1px solid #f1f5f9; cursor: pointer; white-space: nowrap; overflow: hidden; }
#list-rows .row:hover { background: #f1f5f9; }
#list-rows .row.selected { background: #dbeafe; }
.mark { width: 40px; flex: none; font-weight: 700; text-align: center; }
.rid { flex: none; max-width: 230px; overflow: hidden; text-overflow: ellipsis; font-family: ui-monospace, monospace; font-size: 12px; }
.rmodel { flex: none; color: var(--accent); font-size: 12px; }
.rtext { flex: 1; overflow: hidden; text-overflow: ellipsis; color: var(--muted); font-size: 12px; }
.tag { flex: none; font-size: 11px; background: #fef3c7; color: #92400e; border-radius: 8px; padding: 0 6px; }
#detail { height: 70vh; overflow-y: auto; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
#detail h3 { margin: 4px 0 0; font-family: ui-monospace, monospace; font-size: 14px; }
#detail h4 { margin: 12px 0 4px; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
#detail pre { white-space: pre-wrap; word-break: break-word; background: var(--bg); border: 1px solid var(--line); border-radius: 5px; padding: 8px 10px; margin: 0; font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; max-height: 420px; overflow: auto; }
.turn { margin: 6px 0; } .turn .role { font-size: 12px; font-weight: 600; color: var(--muted); margin-bottom: 2px; }
.turn.user pre { background: #eff6ff; } .turn.assistant pre { background: #f0fdf4; } .turn.tool pre { background: #fefce8; }
pre.call { background: #faf5ff !important; }
table.kv { border-collapse: collapse; margin-top: 10px; } table.kv th { text-align: left; color: var(--muted); font-weight: 500; padding: 2px 14px 2px 0; vertical-align: top; } table.kv td { font-family: ui-monospace, monospace; font-size: 12.5px; white-space: pre-wrap; word-break: break-word; }
img.thumb { max-width: 160px; max-height: 160px; border: 1px solid var(--line); border-radius: 4px; margin: 4px 6px 0 0; }
`;
