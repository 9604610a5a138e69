// The floor page: one Server-Sent Events stream from Switchboard, rendered as text (never as HTML).
// No framework, no build step: this file is served as it is, under a Content-Security-Policy without inline script.
'use strict';

(function floor() {
  const STATES = ['available', 'reserved', 'on-call', 'wrap-up', 'offline'];
  const STATE_LABELS = { available: 'available', reserved: 'reserved', 'on-call': 'on a call', 'wrap-up': 'wrap-up', offline: 'offline' };
  const OUTCOMES = ['transferred', 'transfer-initiated', 'not-connected', 'caller-hung-up', 'unknown', 'failed', 'cancelled'];
  const OUTCOME_COLORS = {
    transferred: '#2e7d32',
    'transfer-initiated': '#7cb342',
    'not-connected': '#f9a825',
    'caller-hung-up': '#8d6e63',
    unknown: '#7e57c2',
    failed: '#c62828',
    cancelled: '#757575',
  };
  /** Agents drawn per page of an open department: a department of 5,000 agents never freezes the page. */
  const PAGE_SIZE = 100;
  /** With a filter, departments open by themselves when this few agents match. */
  const AUTO_OPEN_MATCHES = 50;

  const view = {
    agents: new Map(),
    departments: [],
    lines: [],
    transfers: null,
    status: null,
    links: { temporalUi: null, namespace: 'default' },
    /** Server clock minus this browser's, so "since" is counted from the server's time. */
    skew: 0,
    connected: false,
    /** Departments opened by the supervisor (or by a narrow filter), and the page shown in each. */
    open: new Set(),
    pages: new Map(),
    filter: '',
    /** What the last retry or cancel of each transfer answered, shown beside it. */
    messages: new Map(),
  };

  const $ = (id) => document.getElementById(id);

  /** An element with text content only: every value from the server goes through here or textContent. */
  function el(tag, options, ...children) {
    const node = document.createElement(tag);
    const opts = options || {};
    if (opts.className) node.className = opts.className;
    if (opts.text !== undefined && opts.text !== null) node.textContent = String(opts.text);
    if (opts.title) node.title = String(opts.title);
    if (opts.data) for (const [key, value] of Object.entries(opts.data)) node.dataset[key] = String(value);
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function serverNow() {
    return Date.now() + view.skew;
  }

  function duration(ms) {
    if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
    const seconds = Math.max(0, Math.round(ms / 1000));
    if (seconds < 60) return `${seconds} s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
    return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  }

  function clock(ms) {
    return ms ? new Date(ms).toLocaleTimeString() : '—';
  }

  function millis(ms) {
    return ms === null || ms === undefined ? '—' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
  }

  // ---- rendering, at most once per animation frame --------------------------------------------------

  const dirty = new Set();
  let frameRequested = false;
  function schedule(...parts) {
    for (const part of parts) dirty.add(part);
    if (frameRequested) return;
    frameRequested = true;
    requestAnimationFrame(() => {
      frameRequested = false;
      const parts = [...dirty];
      dirty.clear();
      for (const part of parts) RENDER[part]();
    });
  }

  const RENDER = {
    freshness: renderFreshness,
    parts: renderParts,
    agents: renderAgents,
    lines: renderLines,
    transfers: renderTransfers,
  };

  function renderFreshness() {
    const node = $('freshness');
    const status = view.status;
    const stale = !view.connected || (status && status.stale);
    document.body.classList.toggle('stale', Boolean(stale));
    node.className = `freshness ${stale ? 'is-stale' : 'is-live'}`;
    if (!status || !status.loaded) {
      node.textContent = view.connected ? 'Reading the floor…' : 'Connecting…';
      return;
    }
    if (!view.connected) {
      node.textContent = `Connection to Switchboard lost; reconnecting. Showing the picture from ${clock(status.asOf)}.`;
      return;
    }
    if (status.stale) {
      node.textContent = `Stale: showing the picture from ${clock(status.asOf)}. ${status.problem || ''}`.trim();
      return;
    }
    node.textContent = 'Live';
  }

  function part(label, value, ok, title) {
    return el('li', { className: ok ? 'ok' : 'bad', title }, el('span', { className: 'label', text: label }), el('span', { className: 'value', text: value }));
  }

  function renderParts() {
    const list = $('parts');
    const status = view.status;
    if (!status) return;
    const items = [];
    items.push(part('Temporal', status.temporal === 'unknown' ? 'checking…' : status.temporal, status.temporal === 'reachable', status.reason));
    const pollers = status.workflowPollers;
    items.push(part('Workers', pollers ? `polling (${pollers})` : status.temporal === 'reachable' ? 'none polling' : 'unknown', Boolean(pollers), status.reason));
    if (status.crm) items.push(part('CRM', `${status.crm.kind}: ${status.crm.status}`, status.crm.status === 'reachable', status.crm.error));
    items.push(part('Encryption', status.encryption, status.encryption === 'on'));
    list.replaceChildren(...items);
  }

  // ---- agents ---------------------------------------------------------------------------------------

  function matches(agent, needle) {
    if (!needle) return true;
    if (agent.id.toLowerCase().includes(needle)) return true;
    if (agent.name && agent.name.toLowerCase().includes(needle)) return true;
    if ((STATE_LABELS[agent.state] || agent.state).includes(needle) || agent.state.includes(needle)) return true;
    return agent.departments.some((department) => department.toLowerCase().includes(needle));
  }

  function emptyCounts() {
    return Object.fromEntries(STATES.map((state) => [state, 0]));
  }

  function countChips(counts, total) {
    const chips = el('span', { className: 'counts' });
    for (const state of STATES) {
      if (!counts[state]) continue;
      chips.append(el('span', { className: `chip state-${state}`, text: `${counts[state]} ${STATE_LABELS[state]}`, data: { state } }));
    }
    chips.append(el('span', { className: 'chip total', text: `${total} in all` }));
    return chips;
  }

  function renderAgents() {
    const needle = view.filter.trim().toLowerCase();
    // Overall counts: every agent once, however many departments they serve.
    const totals = emptyCounts();
    const byDepartment = new Map();
    let matching = 0;
    for (const agent of view.agents.values()) {
      if (!matches(agent, needle)) continue;
      matching += 1;
      totals[agent.state] = (totals[agent.state] || 0) + 1;
      if (!needle) continue;
      for (const department of agent.departments) {
        let group = byDepartment.get(department);
        if (!group) byDepartment.set(department, (group = { counts: emptyCounts(), agents: 0 }));
        group.counts[agent.state] += 1;
        group.agents += 1;
      }
    }
    $('agent-totals').replaceChildren(
      el('span', { text: needle ? `${matching} of ${view.agents.size} agents match. ` : `${view.agents.size} agents. ` }),
      countChips(totals, matching),
    );

    const groups = needle
      ? [...byDepartment.entries()].map(([id, group]) => ({ id, agents: group.agents, counts: group.counts }))
      : view.departments.map((department) => ({ id: department.id, agents: department.agents, counts: department.counts }));
    groups.sort((a, b) => a.id.localeCompare(b.id));
    const autoOpen = needle && matching <= AUTO_OPEN_MATCHES;

    const container = $('departments');
    const existing = new Map([...container.children].map((node) => [node.dataset.department, node]));
    const nodes = groups.map((group) => {
      let details = existing.get(group.id);
      if (!details) {
        details = el('details', { className: 'department', data: { department: group.id } });
        const summary = el('summary');
        details.append(summary);
        // The supervisor's choice is taken from the click itself, before the details toggles: the toggle event comes a
        // task later, and a live update drawn in between would otherwise close what they just opened.
        summary.addEventListener('click', () => {
          if (details.open) view.open.delete(group.id);
          else view.open.add(group.id);
        });
        details.addEventListener('toggle', () => renderDepartmentBody(details, details.dataset.department));
      }
      // Opened by the supervisor, remembered; by a narrow filter, only while it stays narrow.
      const open = view.open.has(group.id) || Boolean(autoOpen);
      if (details.open !== open) details.open = open;
      details.firstChild.replaceChildren(el('span', { className: 'department-name', text: group.id }), countChips(group.counts, group.agents));
      if (details.open) renderDepartmentBody(details, group.id);
      return details;
    });
    if (groups.length === 0) {
      container.replaceChildren(el('p', { className: 'empty', text: view.agents.size === 0 ? 'No agents on the floor yet.' : 'No agent matches the filter.' }));
      return;
    }
    container.replaceChildren(...nodes);
  }

  /** Only an open department's agents are drawn, a page at a time. */
  function renderDepartmentBody(details, department) {
    const body = details.querySelector('.agents-body') || details.appendChild(el('div', { className: 'agents-body' }));
    if (!details.open) {
      body.replaceChildren();
      return;
    }
    const needle = view.filter.trim().toLowerCase();
    const members = [];
    for (const agent of view.agents.values()) if (agent.departments.includes(department) && matches(agent, needle)) members.push(agent);
    members.sort((a, b) => STATES.indexOf(a.state) - STATES.indexOf(b.state) || a.id.localeCompare(b.id));
    const pages = Math.max(1, Math.ceil(members.length / PAGE_SIZE));
    const page = Math.min(view.pages.get(department) || 0, pages - 1);
    const now = serverNow();
    const rows = members.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).map((agent) =>
      el(
        'tr',
        { className: `agent state-${agent.state}`, data: { agentId: agent.id } },
        el('td', { className: 'agent-name', text: agent.name || agent.id }),
        el('td', { className: 'agent-id', text: agent.id }),
        el('td', {}, el('span', { className: `chip state-${agent.state}`, text: STATE_LABELS[agent.state] || agent.state, data: { state: agent.state } })),
        el('td', { className: 'since', text: duration(now - agent.since), title: new Date(agent.since).toLocaleString() }),
        el('td', { className: 'load', text: `${agent.load} / ${agent.max}` }),
        el('td', { text: agent.office }),
      ),
    );
    const table = el(
      'table',
      { className: 'agents' },
      el('thead', {}, el('tr', {}, ...['Agent', 'Id', 'State', 'Since', 'Load', 'Office'].map((title) => el('th', { text: title })))),
      el('tbody', {}, ...rows),
    );
    const parts = [table];
    if (pages > 1) {
      const pager = el('p', { className: 'pager' });
      const previous = el('button', { text: '‹ Previous' });
      previous.type = 'button';
      previous.disabled = page === 0;
      previous.addEventListener('click', () => {
        view.pages.set(department, page - 1);
        renderDepartmentBody(details, department);
      });
      const next = el('button', { text: 'Next ›' });
      next.type = 'button';
      next.disabled = page >= pages - 1;
      next.addEventListener('click', () => {
        view.pages.set(department, page + 1);
        renderDepartmentBody(details, department);
      });
      pager.append(previous, el('span', { text: ` Agents ${page * PAGE_SIZE + 1}–${Math.min(members.length, (page + 1) * PAGE_SIZE)} of ${members.length} ` }), next);
      parts.push(pager);
    }
    body.replaceChildren(...parts);
  }

  // ---- lines ----------------------------------------------------------------------------------------

  function renderLines() {
    const container = $('lines');
    if (view.lines.length === 0) {
      container.replaceChildren(el('p', { className: 'empty', text: 'No department has a line: no caller is waiting in a queue.' }));
      return;
    }
    const rows = view.lines.map((line) => {
      const level = line.serviceLevel || { answered: 0, withinTarget: 0, targetSeconds: 0 };
      const percent = level.answered > 0 ? `${Math.round((100 * level.withinTarget) / level.answered)}%` : '—';
      return el(
        'tr',
        { data: { department: line.department } },
        el('td', { text: line.department }),
        el('td', { className: 'number', text: `${line.waiting} / ${line.maxWaiting}` }),
        el('td', { className: 'number', text: line.oldestWaitSeconds === null ? '—' : duration(line.oldestWaitSeconds * 1000) }),
        el('td', { className: 'number', text: `${percent} within ${level.targetSeconds} s (${level.withinTarget} of ${level.answered})` }),
        el('td', { className: 'number', text: line.callbacksDue }),
      );
    });
    container.replaceChildren(
      el(
        'table',
        { className: 'lines' },
        el('thead', {}, el('tr', {}, ...['Department', 'Waiting / most', 'Oldest wait', 'Service level (last hour)', 'Callbacks due'].map((title) => el('th', { text: title })))),
        el('tbody', {}, ...rows),
      ),
    );
  }

  // ---- transfers ------------------------------------------------------------------------------------

  function webUiLink(row) {
    const base = view.links.temporalUi;
    if (!base || !/^https?:\/\//i.test(base)) return null;
    const href = `${base.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(view.links.namespace)}/workflows/${encodeURIComponent(row.workflowId)}/${encodeURIComponent(row.runId)}/history`;
    const link = el('a', { className: 'web-ui', text: 'Web UI' });
    link.href = href;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    return link;
  }

  async function act(row, action, force) {
    view.messages.set(row.workflowId, { text: action === 'retry' ? 'Retrying…' : 'Cancelling…', ok: true });
    schedule('transfers');
    let answer;
    try {
      const response = await fetch(`/transfers/${encodeURIComponent(row.workflowId)}/${action}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(force ? { force: true } : {}),
      });
      const body = await response.json().catch(() => ({}));
      if (response.status === 401) {
        window.location.assign('/floor');
        return;
      }
      if (response.ok) {
        answer = { ok: true, text: action === 'retry' ? 'Retry started: a new run of this transfer.' : body.effect ? `Cancel requested: ${body.effect}.` : 'Cancel requested.' };
      } else {
        answer = { ok: false, text: body.message || `Refused (HTTP ${response.status}).`, code: body.error };
      }
    } catch (error) {
      answer = { ok: false, text: `Switchboard could not be reached: ${error && error.message ? error.message : error}` };
    }
    answer.action = action;
    view.messages.set(row.workflowId, answer);
    schedule('transfers');
  }

  /** Refusals a supervisor may override, and what they must know before they do. */
  const FORCEABLE = {
    call_state_unknown: 'Retry with force: only if you know the caller is still on the line',
    may_have_reached_caller: 'Retry with force: only if you know the caller is still with the assistant (this transfer may have reached them)',
  };

  function actions(row) {
    const cell = el('td', { className: 'actions' });
    const retry = el('button', { className: 'retry', text: 'Retry' });
    retry.type = 'button';
    retry.addEventListener('click', () => act(row, 'retry', false));
    const cancel = el('button', { className: 'cancel', text: 'Cancel' });
    cancel.type = 'button';
    cancel.addEventListener('click', () => act(row, 'cancel', false));
    cell.append(retry, cancel);
    const link = webUiLink(row);
    if (link) cell.append(link);
    const message = view.messages.get(row.workflowId);
    if (message) {
      cell.append(el('span', { className: `message ${message.ok ? 'ok' : 'refused'}`, text: message.text }));
      // Switchboard cannot ask Vapi whether the caller is still there, or the transfer may already have reached
      // them: the supervisor may know better, and force it.
      if (FORCEABLE[message.code]) {
        const force = el('button', { className: 'force', text: 'Retry anyway' });
        force.type = 'button';
        force.title = FORCEABLE[message.code];
        force.addEventListener('click', () => act(row, 'retry', true));
        cell.append(force);
      }
    }
    return cell;
  }

  function shortId(id) {
    if (!id) return '—';
    return id.length > 12 ? `…${id.slice(-8)}` : id;
  }

  function transferTable(rows, columns) {
    return el(
      'table',
      { className: 'transfers' },
      el('thead', {}, el('tr', {}, ...columns.map(([title]) => el('th', { text: title })), el('th', { text: '' }))),
      el(
        'tbody',
        {},
        ...rows.map((row) =>
          el(
            'tr',
            { className: `transfer outcome-${row.outcome || 'none'}`, data: { workflowId: row.workflowId, outcome: row.outcome || '', stage: row.stage || '' } },
            ...columns.map(([, cell]) => cell(row)),
            actions(row),
          ),
        ),
      ),
    );
  }

  function renderTransfers() {
    const transfers = view.transfers;
    if (!transfers) return;
    const now = serverNow();
    const inFlight = $('in-flight');
    if (transfers.inFlight.length === 0) inFlight.replaceChildren(el('p', { className: 'empty', text: 'No transfer is in flight.' }));
    else
      inFlight.replaceChildren(
        transferTable(transfers.inFlight, [
          ['Running for', (row) => el('td', { className: 'since', text: duration(now - row.startedAt) })],
          ['Stage', (row) => el('td', {}, el('span', { className: 'chip stage', text: row.stage || '—' }))],
          ['Department', (row) => el('td', { text: row.department || '—' })],
          ['Agent', (row) => el('td', { text: row.agent || '—' })],
          ['Call', (row) => el('td', { className: 'call-id', text: shortId(row.callId), title: row.callId || '' })],
        ]),
        ...(transfers.inFlightTotal > transfers.inFlight.length ? [el('p', { className: 'more', text: `${transfers.inFlightTotal - transfers.inFlight.length} more in flight not shown.` })] : []),
      );

    const totals = $('outcome-totals');
    const counted = OUTCOMES.filter((outcome) => transfers.outcomes[outcome]);
    totals.replaceChildren(
      // The chips count runs; said so when a retry makes them more than the transfers listed.
      el('span', {
        text:
          transfers.runsTotal > transfers.recentTotal
            ? `${transfers.recentTotal} transfers ended in the last hour, in ${transfers.runsTotal} runs (a retry is a run of its own): `
            : `${transfers.recentTotal} transfers ended in the last hour. `,
      }),
      ...counted.map((outcome) => el('span', { className: `chip outcome-${outcome}`, text: `${transfers.outcomes[outcome]} ${outcome}` })),
    );

    const recent = $('recent');
    if (transfers.recent.length === 0) recent.replaceChildren(el('p', { className: 'empty', text: 'No transfer ended in the last hour.' }));
    else
      recent.replaceChildren(
        transferTable(transfers.recent, [
          ['Ended', (row) => el('td', { className: 'time', text: clock(row.closedAt) })],
          ['Outcome', (row) => el('td', {}, el('span', { className: `chip outcome-${row.outcome || 'none'}`, text: row.outcome || row.status.toLowerCase() }))],
          ['Department', (row) => el('td', { text: row.department || '—' })],
          ['Agent', (row) => el('td', { text: row.agent || '—' })],
          ['Time to transfer', (row) => el('td', { className: 'number', text: millis(row.latencyMs) })],
          ['Call', (row) => el('td', { className: 'call-id', text: shortId(row.callId), title: row.callId || '' })],
        ]),
        ...(transfers.recentTotal > transfers.recent.length
          ? [el('p', { className: 'more', text: `${transfers.recentTotal - transfers.recent.length} more not shown (npx switchboard transfers list --since 1h).` })]
          : []),
      );
    renderCharts();
  }

  // ---- charts (uPlot, served by Switchboard) --------------------------------------------------------

  const charts = { outcomes: null, latency: null, counts: [] };

  function chartWidth(node) {
    return Math.max(280, Math.floor(node.getBoundingClientRect().width || 480));
  }

  function renderCharts() {
    const chart = view.transfers && view.transfers.chart;
    if (!chart || typeof window.uPlot !== 'function') return;
    // Stacked bars: each outcome drawn as the sum of itself and the outcomes before it, tallest first, so every
    // part of a minute's bar shows; the legend reads each outcome's own count.
    const counts = OUTCOMES.map((outcome) => chart.perMinute[outcome] || chart.minutes.map(() => 0));
    const stacked = [];
    counts.forEach((series, index) => stacked.push(series.map((value, minute) => value + (index > 0 ? stacked[index - 1][minute] : 0))));
    charts.counts = counts;
    const order = OUTCOMES.map((_, index) => OUTCOMES.length - 1 - index);
    const outcomesData = [chart.minutes, ...order.map((index) => stacked[index])];
    const latencyData = [chart.minutes, chart.latencyP50, chart.latencyP95];
    if (!charts.outcomes) {
      const node = $('chart-outcomes');
      const bars = window.uPlot.paths && window.uPlot.paths.bars ? window.uPlot.paths.bars({ size: [0.8, 24] }) : undefined;
      charts.outcomes = new window.uPlot(
        {
          width: chartWidth(node),
          height: 200,
          scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
          axes: [{}, { label: 'per minute' }],
          series: [
            {},
            ...order.map((index) => ({
              label: OUTCOMES[index],
              stroke: OUTCOME_COLORS[OUTCOMES[index]],
              fill: OUTCOME_COLORS[OUTCOMES[index]],
              width: 1,
              paths: bars,
              points: { show: false },
              value: (_u, _value, _series, minute) => (minute === null || minute === undefined ? '--' : String(charts.counts[index][minute])),
            })),
          ],
        },
        outcomesData,
        node,
      );
    } else charts.outcomes.setData(outcomesData);
    if (!charts.latency) {
      const node = $('chart-latency');
      charts.latency = new window.uPlot(
        {
          width: chartWidth(node),
          height: 200,
          scales: { y: { range: (_u, _min, max) => [0, Math.max(100, max || 0)] } },
          axes: [{}, { label: 'ms' }],
          series: [
            {},
            { label: 'median', stroke: '#1565c0', width: 2, points: { show: true, size: 6, fill: '#1565c0' } },
            { label: '95th percentile', stroke: '#ef6c00', width: 2, points: { show: true, size: 6, fill: '#ef6c00' } },
          ],
        },
        latencyData,
        node,
      );
    } else charts.latency.setData(latencyData);
  }

  window.addEventListener('resize', () => {
    if (charts.outcomes) charts.outcomes.setSize({ width: chartWidth($('chart-outcomes')), height: 200 });
    if (charts.latency) charts.latency.setSize({ width: chartWidth($('chart-latency')), height: 200 });
  });

  // ---- the stream -----------------------------------------------------------------------------------

  function setSkew(serverTime) {
    if (typeof serverTime === 'number') view.skew = serverTime - Date.now();
  }

  function applySnapshot(picture) {
    setSkew(picture.now);
    view.agents = new Map(picture.agents.map((agent) => [agent.id, agent]));
    view.departments = picture.departments;
    view.lines = picture.lines;
    view.transfers = picture.transfers;
    view.status = picture.status;
    view.links = picture.links;
    schedule('freshness', 'parts', 'agents', 'lines', 'transfers');
  }

  let source = null;
  function connect() {
    source = new EventSource('/floor/events');
    source.addEventListener('open', () => {
      view.connected = true;
      schedule('freshness');
    });
    source.addEventListener('snapshot', (event) => {
      view.connected = true;
      applySnapshot(JSON.parse(event.data));
    });
    source.addEventListener('agents', (event) => {
      const changes = JSON.parse(event.data);
      setSkew(changes.now);
      for (const agent of changes.agents) view.agents.set(agent.id, agent);
      view.departments = changes.departments;
      schedule('agents');
    });
    source.addEventListener('lines', (event) => {
      view.lines = JSON.parse(event.data);
      schedule('lines');
    });
    source.addEventListener('transfers', (event) => {
      view.transfers = JSON.parse(event.data);
      schedule('transfers');
    });
    source.addEventListener('status', (event) => {
      const status = JSON.parse(event.data);
      setSkew(status.now);
      view.status = status;
      schedule('freshness', 'parts');
    });
    source.addEventListener('error', () => {
      view.connected = false;
      schedule('freshness');
      // The browser reconnects by itself unless the server refused the stream (a session that ended, a full server).
      if (source.readyState !== EventSource.CLOSED) return;
      fetch('/floor/state', { credentials: 'same-origin', method: 'HEAD' })
        .then((response) => {
          if (response.status === 401) window.location.assign('/floor');
          else setTimeout(connect, 3000);
        })
        .catch(() => setTimeout(connect, 3000));
    });
  }

  $('filter').addEventListener('input', (event) => {
    view.filter = event.target.value;
    view.pages.clear();
    schedule('agents');
  });

  // "Since" and "running for" move on even when nothing changes.
  setInterval(() => schedule('agents', 'transfers'), 5000);

  connect();
})();
