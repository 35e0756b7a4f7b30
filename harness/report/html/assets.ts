/** The report page's style and its one script (filters), inlined: the page loads nothing. */

export const STYLE = `
:root { font-family: system-ui, sans-serif; color: #222; }
body { margin: 0; padding: 1rem 1.5rem 4rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
h4 { margin: 1rem 0 .3rem; }
table { border-collapse: collapse; margin: .3rem 0; }
th, td { border: 1px solid #ddd; padding: .2rem .5rem; text-align: left; vertical-align: top; font-size: .9rem; }
th { background: #f4f4f4; }
.note { background: #fff8e1; border: 1px solid #f0d48a; padding: .5rem .8rem; }
.banner { background: #fdecea; border: 1px solid #e6a3a0; padding: .5rem .8rem; margin: .5rem 0; }
.passed, .success { background: #e6f4ea; }
.failed, .failure { background: #fdecea; }
.skipped, .partial, .not-tested { background: #f1f1f1; }
.matrix td { text-align: center; min-width: 5rem; }
.matrix td.statement-text { text-align: left; min-width: 20rem; }
.matrix td a { display: block; color: inherit; text-decoration: none; }
.matrix td.failed { background: #f28b82; font-weight: bold; }
.matrix td.passed { background: #a8dab5; }
.badge { display: inline-block; min-width: 3.2rem; text-align: center; border-radius: 3px; font-weight: bold; font-size: .8rem; padding: 0 .3rem; }
.badge.passed { background: #34a853; color: white; }
.badge.failed { background: #d93025; color: white; }
.badge.skipped { background: #9aa0a6; color: white; }
.badge.flaky { background: #f29900; color: white; }
section.test { border: 1px solid #ddd; margin: .4rem 0; padding: .2rem .6rem; background: white; }
section.test[hidden] { display: none; }
section.test summary { cursor: pointer; }
.message { white-space: pre-wrap; font-family: ui-monospace, monospace; font-size: .85rem; }
.filters { position: sticky; top: 0; background: white; padding: .5rem 0; border-bottom: 1px solid #ddd; z-index: 1; }
.filters label { margin-right: 1rem; }
svg.timeline { display: block; width: 100%; height: auto; border: 1px solid #eee; margin: .4rem 0; }
svg.timeline .step-label { font-size: 10px; fill: #123; pointer-events: none; }
svg.timeline text { font-size: 11px; font-family: ui-monospace, monospace; }
svg.timeline .axis { fill: #666; }
svg.timeline .lane { stroke: #eee; }
svg.timeline .step { fill: #c6dbef; stroke: white; }
svg.timeline .step.failed { fill: #f28b82; }
svg.timeline .round { fill: #a1d99b; stroke: white; stroke-width: .5; }
svg.timeline .round.failed { fill: #f28b82; }
svg.timeline .moment { stroke: #555; stroke-dasharray: 4 3; }
svg.timeline .moment.published { stroke: #2ca02c; stroke-width: 2; stroke-dasharray: none; }
svg.timeline .moment.failNode, svg.timeline .moment.removeNode { stroke: #d62728; stroke-width: 2; }
svg.timeline .moment-label { fill: #444; font-size: 10px; }
svg.timeline .source.offending { font-weight: bold; }
svg.timeline .pkt.offending { stroke-width: 2; }
.legend { font-size: .85rem; color: #555; }
.offenders td { font-family: ui-monospace, monospace; font-size: .8rem; }
`;

/**
 * Filters by result, statement, feature and family; a matrix cell's link (#filter:k=v&k=v) sets
 * them. Plain DOM code: the page must work opened from disk, with no network.
 */
export const SCRIPT = `
(function () {
  var ids = ['status', 'statement', 'feature', 'family'];
  function select(id) { return document.getElementById('f-' + id); }
  function apply() {
    var shown = 0;
    document.querySelectorAll('section.test').forEach(function (section) {
      var ok = ids.every(function (id) {
        var want = select(id).value;
        if (!want) return true;
        return (' ' + section.getAttribute('data-' + id) + ' ').indexOf(' ' + want + ' ') >= 0;
      });
      section.hidden = !ok;
      if (ok) shown++;
    });
    document.getElementById('shown').textContent = String(shown);
  }
  function fromHash() {
    // The hash is the reader's to type: a malformed escape (#filter:%E0) selects nothing.
    var hash;
    try { hash = decodeURIComponent(location.hash || ''); } catch (e) { return; }
    if (hash.indexOf('#filter:') !== 0) return;
    ids.forEach(function (id) { select(id).value = ''; });
    hash.slice(8).split('&').forEach(function (pair) {
      var kv = pair.split('=');
      if (ids.indexOf(kv[0]) >= 0) select(kv[0]).value = kv[1] || '';
    });
    apply();
    var list = document.getElementById('tests');
    if (list) list.scrollIntoView();
  }
  ids.forEach(function (id) { select(id).addEventListener('change', apply); });
  window.addEventListener('hashchange', fromHash);
  fromHash();
  apply();
})();
`;
