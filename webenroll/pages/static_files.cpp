#include "webenroll/pages/static_files.hpp"

namespace pkilab::web {

const std::string_view kStyleSheet = R"css(
:root { --fg: #1d2330; --muted: #5b6472; --line: #d8dde6; --bg: #f6f7f9; --card: #fff;
        --accent: #1f5fbf; --ok: #1e7d3a; --warn: #9a6700; --bad: #b42318; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
nav.top { display: flex; gap: 1.2rem; align-items: center; padding: .6rem 1.5rem; background: #16202f; color: #fff; }
nav.top a { color: #cfd8e6; text-decoration: none; }
nav.top a.here, nav.top a:hover { color: #fff; }
nav.top .brand { font-weight: 700; color: #fff; margin-right: 1rem; }
nav.top .who { margin-left: auto; display: flex; gap: .6rem; align-items: center; }
nav.top .role { font-size: .8rem; padding: .05rem .45rem; border-radius: 1rem; background: #2e3e57; }
nav.sub { display: flex; gap: 1rem; margin: 0 0 1.2rem; border-bottom: 1px solid var(--line); padding-bottom: .5rem; }
nav.sub a { color: var(--accent); text-decoration: none; }
nav.sub a.here { font-weight: 600; color: var(--fg); }
main { max-width: 72rem; margin: 1.5rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .6rem; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f5; font-weight: 600; font-size: .9rem; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre, textarea, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .88rem; }
pre { background: #0f1722; color: #dce6f2; padding: .8rem; overflow: auto; border-radius: .3rem; }
textarea { width: 100%; min-height: 14rem; padding: .5rem; border: 1px solid var(--line); border-radius: .3rem; }
input[type=text], input[type=password], input[type=search], select { padding: .35rem .5rem; border: 1px solid var(--line); border-radius: .3rem; font: inherit; }
button, input[type=submit] { font: inherit; padding: .35rem .9rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: .3rem; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
form.inline { display: inline; margin: 0; }
nav.top form.inline button { padding: .1rem .6rem; background: transparent; border-color: #5b6c86; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: .4rem; padding: 1rem 1.2rem; margin-bottom: 1rem; }
.card.narrow { max-width: 24rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 1rem; margin-bottom: 1rem; }
.stat { font-size: 1.8rem; font-weight: 700; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; font-size: .8rem; font-weight: 600; background: #e8ecf2; }
.badge.ok, .badge.issued, .badge.valid, .badge.fresh { background: #dff3e4; color: var(--ok); }
.badge.pending, .badge.due, .badge.on-hold { background: #fff2cc; color: var(--warn); }
.badge.denied, .badge.failed, .badge.revoked, .badge.stale { background: #fde2e1; color: var(--bad); }
.error, .warning { padding: .7rem 1rem; border-radius: .3rem; margin: .8rem 0; }
.error { background: #fde2e1; color: var(--bad); }
.warning { background: #fff2cc; color: var(--warn); border: 2px solid #e0b000; }
.notice { background: #e7f0fd; padding: .7rem 1rem; border-radius: .3rem; margin: .8rem 0; }
label { display: block; margin: .7rem 0 .25rem; font-weight: 600; }
.field { margin-bottom: .8rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
/* The console: filters above tables, officer actions in them, a few more badges. */
.badge.expired, .badge.missing { background: #eceff3; color: var(--muted); }
.badge.soon, .badge.sev-warning { background: #fff2cc; color: var(--warn); }
.badge.sev-error { background: #fde2e1; color: var(--bad); }
.badge.sev-info { background: #e7f0fd; color: var(--accent); }
.error-text { color: var(--bad); }
.small { font-size: .85rem; }
.nowrap { white-space: nowrap; }
.wrap { overflow-wrap: break-word; }
time, td.ca { white-space: nowrap; }
th.num { text-align: right; }
.cards.stats { grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); }
form.filters { display: flex; flex-wrap: wrap; gap: .4rem .6rem; align-items: center; margin: 0 0 1rem; }
form.filters label { display: inline; margin: 0; font-size: .9rem; }
form.filters .pair { display: inline-flex; gap: .4rem; align-items: center; white-space: nowrap; }
.actions { display: flex; flex-wrap: wrap; gap: .35rem; align-items: center; margin: .4rem 0; }
.actions form.deny { display: inline-flex; gap: .3rem; }
.actions input[type=text] { width: 11rem; padding: .2rem .4rem; }
.actions button, .actions select { font-size: .85rem; padding: .2rem .6rem; }
a.stat-card { display: flex; flex-direction: column; text-decoration: none; color: var(--fg); }
a.stat-card:hover { border-color: var(--accent); }
.pager { display: flex; flex-wrap: wrap; gap: .8rem; align-items: center; }
details summary { cursor: pointer; color: var(--accent); margin: .4rem 0; }
details.fold summary { display: inline-block; margin: 0; padding: .2rem .6rem; font-size: .85rem; color: var(--bad);
                       border: 1px solid var(--bad); border-radius: .3rem; background: #fff; }
details.fold[open] form { display: flex; gap: .3rem; margin-top: .35rem; }
table.audit td { font-size: .88rem; }
td.detail { overflow-wrap: anywhere; min-width: 14rem; }
)css";

const std::string_view kScript = R"js(
// pkilab pages: a little progressive enhancement, nothing a page needs to work.
document.addEventListener('DOMContentLoaded', function () {
  // Buttons that do something irreversible ask first: <button data-confirm="Revoke ...?">.
  document.querySelectorAll('[data-confirm]').forEach(function (el) {
    el.addEventListener('click', function (event) {
      if (!window.confirm(el.getAttribute('data-confirm'))) event.preventDefault();
    });
  });
  // Filters apply as soon as one is picked: <select data-autosubmit> in a GET form.
  document.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () { if (select.form) select.form.submit(); });
  });
  // A file chosen for a CSR fills the text area: <input type=file data-fills="ID">.
  document.querySelectorAll('input[type=file][data-fills]').forEach(function (input) {
    input.addEventListener('change', function () {
      var target = document.getElementById(input.getAttribute('data-fills'));
      if (!target || !input.files.length) return;
      input.files[0].text().then(function (text) { target.value = text; });
    });
  });
});
)js";

}  // namespace pkilab::web
