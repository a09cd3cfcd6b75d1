// MPSec live dashboard: one EventSource (/api/v1/stream) for snapshots and events, /api/v1/system polled.
// Every number is written as text into the DOM, with the raw value in data-value, so tests read numbers, not pixels.
'use strict';
(function () {
  const WINDOW_SECONDS = 600;
  const MAX_EVENTS = 200;
  const charts = new Map(); // netns -> chart state
  const marked = new Map(); // netns/iface -> {status, at}: when this page first showed the current status (data-status-at)
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, v);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function td(text, field, value, cls) {
    return el('td', { 'data-field': field, 'data-value': value, class: cls }, text);
  }
  function bytes(n) {
    if (n === null || n === undefined) return '–';
    const u = ['B', 'KB', 'MB', 'GB', 'TB']; let i = 0; let v = n;
    while (v >= 1000 && i < u.length - 1) { v /= 1000; i++; }
    return (i === 0 ? v.toFixed(0) : v.toFixed(2)) + ' ' + u[i];
  }
  function mbit(bytesPerSecond) { return (bytesPerSecond * 8 / 1e6).toFixed(2) + ' Mbit/s'; }
  function secs(s) {
    if (s === null || s === undefined) return '–';
    return s >= 3600 ? (s / 3600).toFixed(1) + ' h' : s >= 60 ? Math.round(s / 60) + ' min' : s + ' s';
  }
  function clock(ms) { return new Date(ms).toLocaleTimeString(); }
  function statusText(s) {
    return { up: 'up', idle: 'idle', silent: 'DOWN (silent)', down: 'DOWN' }[s] || s;
  }
  function cssVar(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }

  // ---- paths table -------------------------------------------------------------------------------
  function mark(netns, iface, status) {
    const key = netns + '/' + iface; const m = marked.get(key);
    if (!m || m.status !== status) marked.set(key, { status, at: Date.now() });
    return marked.get(key).at;
  }
  function renderPaths(ifs) {
    const body = $('paths'); body.replaceChildren();
    for (const ns of ifs.namespaces) {
      for (const i of ns.interfaces) {
        const tr = el('tr', { id: 'if-' + ns.netns + '-' + i.name, 'data-netns': ns.netns, 'data-iface': i.name,
          'data-status': i.status, 'data-status-at': mark(ns.netns, i.name, i.status), 'data-path': String(i.path) });
        tr.append(el('td', null, ns.netns), el('th', { scope: 'row' }, i.name));
        const st = el('td', { 'data-field': 'status', 'data-value': i.status });
        st.append(el('span', { class: 'badge', 'data-status': i.status, title: i.statusReason || i.operState }, statusText(i.status)));
        if (i.statusReason) st.append(el('span', { class: 'visually-hidden' }, ' (' + i.statusReason + ')'));
        tr.append(st,
          td(mbit(i.rx.bytesPerSecond), 'rxRate', i.rx.bytesPerSecond, 'num'),
          td(mbit(i.tx.bytesPerSecond), 'txRate', i.tx.bytesPerSecond, 'num'),
          td(bytes(i.rx.bytes), 'rxBytes', i.rx.bytes, 'num'), td(bytes(i.tx.bytes), 'txBytes', i.tx.bytes, 'num'),
          td(i.rx.packets, 'rxPackets', i.rx.packets, 'num'), td(i.tx.packets, 'txPackets', i.tx.packets, 'num'),
          td(i.rx.errors + ' / ' + i.tx.errors, 'errors', i.rx.errors + i.tx.errors, 'num'),
          td(i.rx.drops + ' / ' + i.tx.drops, 'drops', i.rx.drops + i.tx.drops, 'num'));
        body.append(tr);
      }
    }
  }

  // ---- throughput charts (uPlot, stacked) ------------------------------------------------------
  function chartFor(ns, names) {
    let c = charts.get(ns.netns);
    if (c && c.names.join(',') === names.join(',')) return c;
    const old = c;
    if (!c) {
      const box = el('div', { class: 'ns-chart', 'data-netns': ns.netns });
      const h = el('h3');
      h.append(el('span', null, ns.netns), el('span', { class: 'badge', 'data-field': 'mode' }));
      const plotBox = el('div', { class: 'chart', role: 'img' });
      const legend = el('ul', { class: 'legend', 'aria-label': 'Current throughput in ' + ns.netns });
      box.append(h, plotBox, legend);
      $('charts').append(box);
      c = { box, h, plotBox, legend, xs: [], values: new Map(), total: [] };
      charts.set(ns.netns, c);
      new ResizeObserver(() => { if (c.plot) c.plot.setSize(size(c)); }).observe(plotBox);
    }
    c.names = names;
    for (const n of names) if (!c.values.has(n)) c.values.set(n, c.xs.map(() => null));
    c.plotBox.setAttribute('aria-label', 'Stacked throughput of ' + names.join(', ') + ' in ' + ns.netns
      + ' over the last 10 minutes; the numbers are in the legend below and in the paths table');
    build(c);
    if (old && old.plot && old.plot !== c.plot) old.plot.destroy();
    return c;
  }
  function size(c) { return { width: Math.max(200, c.plotBox.clientWidth), height: 240 }; }
  function build(c) {
    if (c.plot) { c.plot.destroy(); c.plot = null; }
    c.plotBox.replaceChildren();
    const fg = cssVar('--fg'); const grid = cssVar('--grid');
    const series = [{}];
    for (let k = c.names.length - 1; k >= 0; k--) {
      const col = cssVar('--path-' + ((k % 6) + 1));
      series.push({ label: c.names[k], stroke: col, fill: col + 'bb', width: 1, points: { show: false } });
    }
    series.push({ label: 'total', stroke: cssVar('--total'), width: 2, dash: [6, 3], points: { show: false } });
    const axis = { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid } };
    const opts = Object.assign(size(c), {
      legend: { show: false }, cursor: { show: false }, series,
      scales: { y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [axis, Object.assign({ label: 'Mbit/s', size: 60 }, axis)],
    });
    c.plot = new uPlot(opts, data(c), c.plotBox);
  }
  function data(c) {
    const out = [c.xs];
    const cum = []; let acc = c.xs.map(() => 0);
    for (const n of c.names) { acc = acc.map((a, j) => a + (c.values.get(n)[j] || 0)); cum.push(acc); }
    for (let k = cum.length - 1; k >= 0; k--) out.push(cum[k]);
    out.push(c.total);
    return out;
  }
  function pushChart(ifs) {
    for (const ns of ifs.namespaces) {
      const paths = ns.interfaces.filter((i) => i.path);
      const c = chartFor(ns, paths.map((i) => i.name));
      c.xs.push(ifs.time / 1000);
      let total = 0;
      for (const i of paths) {
        const v = (i.rx.bytesPerSecond + i.tx.bytesPerSecond) * 8 / 1e6;
        total += v; c.values.get(i.name).push(v);
      }
      c.total.push(total);
      while (c.xs.length > WINDOW_SECONDS) { c.xs.shift(); c.total.shift(); for (const a of c.values.values()) a.shift(); }
      for (const [n, a] of c.values) while (a.length > c.xs.length) a.shift();
      c.plot.setData(data(c));
      legend(c, ns, paths, total);
    }
  }
  function legend(c, ns, paths, total) {
    const mode = ns.activePaths >= 2 ? 'multipath' : ns.activePaths === 1 ? 'single' : 'none';
    const badge = c.h.querySelector('[data-field="mode"]');
    badge.dataset.mode = mode; badge.dataset.value = ns.activePaths;
    badge.textContent = mode === 'multipath' ? 'Multipath: ' + ns.activePaths + ' paths active'
      : mode === 'single' ? 'Single path' : 'No traffic';
    c.legend.replaceChildren();
    paths.forEach((i, k) => {
      const v = i.rx.bytesPerSecond + i.tx.bytesPerSecond;
      const li = el('li', { 'data-iface': i.name, 'data-status': i.status, 'data-value': v });
      const sw = el('span', { class: 'swatch', 'aria-hidden': 'true' }); sw.style.background = cssVar('--path-' + ((k % 6) + 1));
      li.append(sw, el('span', null, i.name + ': ' + mbit(v) + (i.status === 'up' ? '' : ' (' + statusText(i.status) + ')')));
      c.legend.append(li);
    });
    const t = el('li', { class: 'total', 'data-iface': 'total', 'data-value': total * 1e6 / 8 });
    t.append(el('span', { class: 'swatch', 'aria-hidden': 'true' }), el('span', null, 'total: ' + total.toFixed(2) + ' Mbit/s'));
    c.legend.append(t);
  }

  // ---- connections, security, system, events ----------------------------------------------------
  function emptyRow(body, cols, text) {
    const tr = el('tr', { class: 'empty' }); tr.append(el('td', { colspan: cols }, text)); body.append(tr);
  }
  function renderConnections(cs) {
    const body = $('connections'); body.replaceChildren();
    for (const c of cs.connections) {
      const tr = el('tr', { class: 'connection', 'data-token': c.token, 'data-fallback': String(c.fallback) });
      const tok = el('th', { scope: 'row' }, c.token);
      if (c.fallback) tok.append(' ', el('span', { class: 'badge fallback' }, 'fallback: plain TCP'));
      tr.append(el('td', null, c.netns), tok, el('td', { colspan: 7 }, c.local + ' → ' + c.remote));
      body.append(tr);
      for (const s of c.subflows) {
        const r = el('tr', { class: 'subflow', 'data-token': c.token });
        r.append(el('td'), el('td'), el('td', null, s.local + ' → ' + s.remote),
          td((s.rttMicros / 1000).toFixed(2) + ' ms', 'rtt', s.rttMicros, 'num'), td(s.cwnd, 'cwnd', s.cwnd, 'num'),
          td(bytes(s.bytesSent), 'sent', s.bytesSent, 'num'), td(bytes(s.bytesReceived), 'received', s.bytesReceived, 'num'),
          td(s.backup ? 'backup' : '–', 'backup', String(s.backup)), td(s.congestionControl, 'cc', s.congestionControl));
        body.append(r);
      }
    }
    if (!cs.connections.length) emptyRow(body, 9, cs.sources.length ? 'No MPTCP connections.' : 'No connection source is wired into this agent.');
  }
  function renderSecurity(sec) {
    const p = $('protection'); p.replaceChildren();
    for (const i of sec.interfaces) {
      const tr = el('tr', { 'data-netns': i.netns, 'data-iface': i.iface, 'data-verdict': i.verdict });
      const v = el('td', { 'data-field': 'verdict', 'data-value': i.verdict });
      v.append(el('span', { class: 'badge', 'data-verdict': i.verdict }, i.verdict));
      tr.append(el('td', null, i.netns), el('th', { scope: 'row' }, i.iface), v,
        td(i.espPackets ?? '–', 'espPackets', i.espPackets, 'num'), td(i.clearPackets ?? '–', 'clearPackets', i.clearPackets, 'num'));
      p.append(tr);
    }
    if (!sec.interfaces.length) emptyRow(p, 5, 'No interfaces.');
    const s = $('sas'); s.replaceChildren();
    for (const peer of sec.peers) {
      for (const sa of peer.sas) {
        const tr = el('tr', { 'data-peer': peer.peer, 'data-spi': sa.spi });
        tr.append(el('th', { scope: 'row' }, peer.peer + (sa.generation === peer.activeGeneration ? ' (active)' : '')),
          el('td', null, sa.direction), el('td', null, sa.spi), td(sa.generation, 'generation', sa.generation, 'num'),
          td(bytes(sa.bytes), 'bytes', sa.bytes, 'num'), td(sa.packets ?? '–', 'packets', sa.packets, 'num'),
          td(secs(sa.ageSeconds), 'age', sa.ageSeconds, 'num'), td(secs(sa.expiresInSeconds), 'expires', sa.expiresInSeconds, 'num'));
        s.append(tr);
      }
    }
    if (!sec.peers.length) emptyRow(s, 8, 'No secure paths are registered with this agent.');
    const r = $('rekey'); r.replaceChildren();
    for (const h of sec.rekey) {
      r.append(el('li', { 'data-netns': h.netns, 'data-state': h.state }, 'Rekey (' + h.netns + '): ' + h.state + ', generation '
        + h.activeGeneration + ', ' + h.rekeys + ' rekeys' + (h.lastRekeyAt ? ', last at ' + clock(h.lastRekeyAt) : '')
        + (h.lastError ? '; last error: ' + h.lastError.operation + ': ' + h.lastError.message : '')));
    }
  }
  function fact(dl, name, value, id) {
    dl.append(el('dt', null, name), el('dd', { id: id, 'data-value': value }, value ?? '–'));
  }
  function pct(x) { return x === null || x === undefined ? '–' : (x * 100).toFixed(1) + ' %'; }
  function renderSystem(s) {
    const dl = $('system'); dl.replaceChildren();
    fact(dl, 'Kernel', s.kernel, 'sys-kernel');
    fact(dl, 'CPUs', s.cpus, 'sys-cpus');
    fact(dl, 'Host CPU', pct(s.host.cpu), 'sys-host-cpu');
    fact(dl, 'Host memory', bytes(s.host.memoryBytes) + ' of ' + bytes(s.host.memoryTotalBytes), 'sys-host-mem');
    fact(dl, 'Agent CPU', pct(s.agent.cpu), 'sys-agent-cpu');
    fact(dl, 'Agent memory (RSS)', bytes(s.agent.memoryBytes), 'sys-agent-mem');
    const box = $('system-namespaces'); box.replaceChildren();
    for (const n of s.namespaces) {
      box.append(el('h3', null, 'Namespace ' + n.netns));
      const d = el('dl', { class: 'facts', 'data-netns': n.netns });
      const list = (a) => (a && a.length ? ' (available: ' + a.join(', ') + ')' : '');
      fact(d, 'MPTCP', n.mptcpEnabled === null ? 'unknown' : n.mptcpEnabled ? 'enabled' : 'disabled');
      fact(d, 'Path manager', (n.pathManager ?? '–') + list(n.availablePathManagers));
      fact(d, 'Scheduler', (n.scheduler ?? '–') + list(n.availableSchedulers));
      fact(d, 'Congestion control', (n.congestionControl ?? '–') + list(n.availableCongestionControls));
      fact(d, 'Limits', n.subflowsLimit === null ? '–' : 'subflows ' + n.subflowsLimit + ', add_addr_accepted ' + n.addAddrAcceptedLimit);
      fact(d, 'Endpoints', n.endpoints.length ? n.endpoints.map((e) => e.id + ': ' + e.address + (e.port ? ':' + e.port : '')
        + ' ' + e.flags.join(',') + (e.iface ? ' dev ' + e.iface : '')).join('; ') : 'none');
      for (const [k, v] of Object.entries(n.sysctls)) fact(d, k, v);
      if (n.errors.length) fact(d, 'Could not read', n.errors.join('; '));
      box.append(d);
    }
  }
  let lastSeq = 0;
  function addEvent(e) {
    if (e.seq <= lastSeq) return;
    lastSeq = e.seq;
    const li = el('li', { 'data-seq': e.seq, 'data-kind': e.kind, 'data-netns': e.netns, 'data-subject': e.subject });
    li.append(el('time', { datetime: new Date(e.time).toISOString() }, clock(e.time)), el('span', null, e.netns + ': ' + e.message));
    const list = $('events'); list.prepend(li);
    while (list.children.length > MAX_EVENTS) list.lastChild.remove();
    if (e.kind.startsWith('path-')) pathEvent(e);
  }
  // A path event changes the row and the legend at once, without waiting for the next snapshot.
  function pathEvent(e) {
    const at = mark(e.netns, e.subject, e.status);
    for (const node of document.querySelectorAll('[data-iface]')) {
      const ns = node.closest('[data-netns]');
      if (node.dataset.iface !== e.subject || !ns || ns.dataset.netns !== e.netns || !node.hasAttribute('data-status')) continue;
      node.dataset.status = e.status;
      node.dataset.statusAt = at;
      const b = node.querySelector('.badge[data-status]');
      if (b) { b.dataset.status = e.status; b.textContent = statusText(e.status); }
      const st = node.querySelector('[data-field="status"]');
      if (st) st.dataset.value = e.status;
    }
    if (e.status === 'down' || e.status === 'silent' || (e.status === 'up' && e.kind === 'path-up')) {
      $('announcer').textContent = 'Path ' + e.subject + ' in ' + e.netns + ' is ' + statusText(e.status);
    }
  }

  // ---- wiring -----------------------------------------------------------------------------------
  function onSnapshot(s) {
    renderPaths(s.interfaces);
    pushChart(s.interfaces);
    renderConnections(s.connections);
    renderSecurity(s.security);
    document.body.dataset.snapshotTime = s.time;
  }
  function connect() {
    const state = $('stream-state');
    const es = new EventSource('/api/v1/stream');
    es.addEventListener('open', () => { state.dataset.state = 'live'; state.textContent = 'Live'; });
    es.addEventListener('error', () => { state.dataset.state = 'reconnecting'; state.textContent = 'Reconnecting…'; });
    es.addEventListener('snapshot', (m) => onSnapshot(JSON.parse(m.data)));
    es.addEventListener('event', (m) => addEvent(JSON.parse(m.data)));
  }
  async function pollSystem() {
    try {
      const r = await fetch('/api/v1/system', { headers: { Accept: 'application/json' } });
      if (r.ok) renderSystem(await r.json());
    } catch (e) { /* the stream state shows connectivity */ }
  }
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { for (const c of charts.values()) build(c); });
  connect();
  pollSystem();
  setInterval(pollSystem, 5000);
})();
