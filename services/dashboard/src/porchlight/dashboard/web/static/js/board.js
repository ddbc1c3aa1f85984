// The micro-project board: a column per status, drag a card to move it (or use its "Move to"
// control from the keyboard), take and tick off a card's tasks, review wins (wins.js), and every
// change anyone makes arrives live over SSE.

import { call } from "./api.js";
import { fmt, h, replace, toast } from "./dom.js";
import { current } from "./session.js";
import { subscribe } from "./sse.js";
import { targetControlView } from "./targetcontrol.js";
import { mountWins } from "./wins.js";

export function mountBoard(container, status, query) {
  let board = null;
  const session = current();
  // The wins to act on, above the columns: drawn on their own, so a card's move never closes a
  // form someone is typing in.
  const winsHolder = h("div", { class: "board-wins-holder" });
  const columnsHolder = h("div", { class: "board-columns-holder" });
  replace(container, winsHolder, columnsHolder);
  const wins = mountWins(winsHolder, session, query);
  const openTasks = new Set(); // cards whose task list is open: kept open when the board redraws
  let flagged = []; // issues departments flagged (issue.flagged), waiting to become projects
  const cards = new Map(); // id -> card, as last seen (from the board, a move or the stream)

  async function load() {
    const [r, f] = await Promise.all([call("projects", `/v1/board?${query}`), call("projects", `/v1/flagged?${query}`)]);
    if (!r.ok) return r;
    flagged = f.ok ? f.data : [];
    board = r.data;
    cards.clear();
    for (const column of board.columns) for (const card of column.cards) cards.set(card.id, card);
    draw();
    return r;
  }

  function draw() {
    const columns = board.columns.map((column) => {
      const list = h("ol", { "aria-label": `${column.title} cards` },
        [...cards.values()].filter((c) => c.status === column.status)
          .sort((a, b) => a.due_on.localeCompare(b.due_on)).map(cardView));
      const el = h("section", { class: "column", dataset: { status: column.status }, "aria-label": column.title },
        h("h3", {}, `${column.title} `, h("span", { class: "muted count" }, `(${list.children.length})`)), list);
      el.addEventListener("dragover", (e) => {
        const id = e.dataTransfer.types.includes("text/plain") ? dragging : null;
        const card = id && cards.get(id);
        if (card && card.allowed_moves.includes(column.status)) { e.preventDefault(); el.classList.add("over"); }
      });
      el.addEventListener("dragleave", () => el.classList.remove("over"));
      el.addEventListener("drop", (e) => {
        e.preventDefault();
        el.classList.remove("over");
        const id = e.dataTransfer.getData("text/plain");
        if (id) move(id, column.status);
      });
      return el;
    });
    // The columns wrap onto more rows when narrow (app.css), so nothing scrolls sideways and the
    // board needs no focus stop of its own.
    replace(columnsHolder, h("div", { class: "board", role: "region", "aria-label": "Board columns" }, flaggedColumn(), columns));
  }

  // The Flagged column: issues other departments flagged, each one click from a micro-project.
  function flaggedColumn() {
    const list = h("ol", { "aria-label": "Flagged issues" }, flagged.map((f) => {
      const make = h("button", { type: "button", class: "secondary" }, "Make it a micro-project");
      make.addEventListener("click", async () => {
        make.disabled = true;
        const r = await call("projects", `/v1/flagged/${f.issue_id}/project`, { method: "POST", body: {} });
        make.disabled = false;
        if (!r.ok) { toast(`Not created: ${r.problem.detail || r.problem.title}`); return; }
        toast(`Micro-project created: ${r.data.title}`);
        await load();
      });
      // Not every flag is the district's to act on: dismissed, it leaves the column (kept, listed as dismissed).
      const dismiss = h("button", { type: "button", class: "secondary" }, "Dismiss");
      dismiss.addEventListener("click", async () => {
        dismiss.disabled = true;
        const r = await call("projects", `/v1/flagged/${f.issue_id}/dismiss`, { method: "POST" });
        dismiss.disabled = false;
        if (!r.ok) { toast(`Not dismissed: ${r.problem.detail || r.problem.title}`); return; }
        toast(`Dismissed: ${f.category}`);
        await load();
      });
      return h("li", { class: "board-card flagged-card", dataset: { issue: f.issue_id } },
        h("strong", {}, f.category),
        h("div", { class: "meta" }, `${f.department}${f.place ? ` · ${f.place}` : ""} · flagged ${f.flagged_at.slice(0, 10)}`),
        f.description ? h("div", { class: "meta" }, f.description) : null,
        h("div", { class: "meta" }, `${f.remedy_given ? "Remedy" : "Proposed remedy"}: ${fmt.label(f.remedy_kind)}`),
        h("div", { class: "row" }, make, dismiss));
    }));
    return h("section", { class: "column", dataset: { status: "flagged" }, "aria-label": "Flagged" },
      h("h3", {}, "Flagged ", h("span", { class: "muted count" }, `(${flagged.length})`)), list);
  }

  let dragging = null;

  function cardView(card) {
    const select = h("select", { "aria-label": `Move “${card.title}” to` },
      h("option", { value: "" }, "Move to…"),
      card.allowed_moves.map((to) => h("option", { value: to }, columnTitle(to))));
    const el = h("li", { class: "board-card", draggable: card.allowed_moves.length ? "true" : "false", dataset: { id: card.id } },
      h("strong", {}, card.title),
      // Where: a shared board shows every district's cards side by side.
      h("div", { class: "where" }, [card.district, card.neighborhood, card.place].filter(Boolean).join(" · ")),
      h("div", { class: "meta" }, `${card.department} · due ${card.due_on}${card.overdue ? " · overdue" : ""} · ${fmt.label(card.remedy_kind)}`),
      card.blocked_reason ? h("div", { class: "meta" }, `Blocked: ${card.blocked_reason}`) : null,
      card.status === "done" ? resultDetails(card) : null,
      tasksView(card),
      card.allowed_moves.length ? h("div", { class: "row" }, select,
        h("button", { type: "button", class: "secondary", onclick: () => select.value && move(card.id, select.value) }, "Move")) : null);
    el.addEventListener("dragstart", (e) => { dragging = card.id; e.dataTransfer.setData("text/plain", card.id); e.dataTransfer.effectAllowed = "move"; });
    el.addEventListener("dragend", () => { dragging = null; });
    return el;
  }

  // A card's tasks, fetched when opened (the board carries only the counts): who has each one,
  // "Take" to make it yours, tick it off when it is done.
  function tasksView(card) {
    const list = h("ul", { class: "task-list" });
    const el = h("details", { class: "card-tasks", open: openTasks.has(card.id) },
      h("summary", {}, `Tasks ${card.tasks_done}/${card.tasks_total}`), list);
    const show = () => { el.dataset.loaded = "true"; loadTasks(card, list); };
    el.addEventListener("toggle", () => {
      if (!el.open) { openTasks.delete(card.id); return; }
      openTasks.add(card.id);
      if (!el.dataset.loaded) show();
    });
    if (el.open) show();
    return el;
  }

  function mayWork(card, task) {
    if (!session) return false;
    const roles = session.roles || [];
    const cityWide = roles.includes("analyst") || roles.includes("admin");
    if (session.district && !cityWide && card.district !== session.district) return false;
    if (roles.includes("supervisor") || roles.includes("admin")) return true;
    return !!session.department && ((card.owners || []).includes(session.department) || task.department === session.department);
  }

  async function loadTasks(card, list) {
    const r = await call("projects", `/v1/projects/${card.id}`);
    if (!r.ok) { replace(list, h("li", { class: "muted" }, `Not available: ${r.problem?.detail || "error"}`)); return; }
    if (!r.data.tasks.length) { replace(list, h("li", { class: "muted" }, "No tasks yet.")); return; }
    replace(list, r.data.tasks.map((task) => taskItem(card, task, list)));
  }

  function taskItem(card, task, list) {
    const may = mayWork(card, task) && card.status !== "done";
    const me = session?.subject;
    const id = `task-${task.id}`;
    const box = h("input", { type: "checkbox", id, checked: task.done, disabled: !may });
    box.addEventListener("change", () => changeTask(card, task, { done: box.checked }, list, box));
    const take = may && !task.done && task.assignee !== me
      ? h("button", { type: "button", class: "secondary take", "aria-label": `Take the task “${task.title}”`,
        onclick: () => changeTask(card, task, { assignee: me }, list) }, "Take")
      : null;
    const who = task.assignee ? (task.assignee === me ? "yours" : task.assignee) : "nobody yet";
    return h("li", { class: "task", dataset: { task: task.id, done: String(task.done) } },
      box, h("label", { for: id }, task.title), h("span", { class: "meta" }, ` · ${who}`), take);
  }

  async function changeTask(card, task, change, list, box) {
    const r = await call("projects", `/v1/projects/${card.id}/tasks/${task.id}`, { method: "PATCH", body: change });
    if (!r.ok) {
      if (box) box.checked = task.done;
      toast(`Not changed: ${r.problem.detail || r.problem.title}`);
      return;
    }
    toast(change.assignee ? `Yours: ${task.title}` : `${r.data.done ? "Done" : "Open again"}: ${task.title}`);
    await loadTasks(card, list); // the card's counts arrive over the stream
  }

  // A done card's measured result (layers' target vs control), fetched when opened: the board
  // itself carries no results, and most cards are never opened.
  function resultDetails(card) {
    const body = h("div", { class: "meta" }, "Loading…");
    const el = h("details", { class: "card-result" }, h("summary", {}, "Result"), body,
      h("a", { href: `#/evaluation/${card.priority_id}` }, "Priority evaluation"));
    el.addEventListener("toggle", async () => {
      if (!el.open || el.dataset.loaded) return;
      const r = await call("projects", `/v1/projects/${card.id}`);
      el.dataset.loaded = "true";
      if (!r.ok) { replace(body, `Not available: ${r.problem?.detail || "error"}`); return; }
      replace(body, r.data.target_control
        ? targetControlView(r.data.target_control)
        : r.data.point
          ? "No measured result yet: layers compares the place with matched control places once a whole day has passed."
          : "No place on this project: nothing to compare.");
    });
    return el;
  }

  function columnTitle(statusKey) {
    return board.columns.find((c) => c.status === statusKey)?.title || fmt.label(statusKey);
  }

  async function move(id, to) {
    const card = cards.get(id);
    if (!card || card.status === to) return;
    let reason;
    if (to === "blocked") {
      reason = window.prompt("What blocks it?") || undefined;
      if (!reason) return;
    }
    const r = await call("projects", `/v1/projects/${id}/moves`, { method: "POST", body: { to, version: card.version, reason } });
    if (!r.ok) {
      toast(`Not moved: ${r.problem.detail || r.problem.title}`);
      if (r.status === 409) await load();
      return;
    }
    apply(r.data);
    toast(`Moved “${card.title}” to ${columnTitle(to)}`);
  }

  // The board's own filter: a card changed to another department, district or priority
  // arrives once more (the server sends it with `was`) and leaves this board.
  const filter = new URLSearchParams(query);
  function onThisBoard(card) {
    if (filter.get("priority") && card.priority_id !== filter.get("priority")) return false;
    if (filter.get("district") && card.district !== filter.get("district")) return false;
    if (filter.get("department") && !(card.owners || []).includes(filter.get("department"))) return false;
    return true;
  }

  function apply(card) {
    const known = cards.get(card.id);
    if (known && known.version > card.version) return; // an older change arriving late
    if (onThisBoard(card)) cards.set(card.id, card);
    else cards.delete(card.id);
    if (board) draw();
  }

  let stop = () => {};
  const ready = load().then((r) => {
    if (!r.ok) return r;
    let first = true;
    stop = subscribe("projects", `/v1/board/stream?${query}`, (message) => {
      if (message.event === "card") apply(JSON.parse(message.data));
      else if (message.event === "win") wins.apply(JSON.parse(message.data));
      else if (message.event === "ready") {
        if (!first) { load(); wins.load(); } // reconnected: changes may have been missed while away
        first = false;
        status.textContent = "Live: changes appear as they happen.";
        container.dataset.live = "true";
      }
    }, (state) => {
      if (state !== "live") { status.textContent = state === "reconnecting" ? "Reconnecting to live updates…" : "Live updates not available."; delete container.dataset.live; }
    });
    return r;
  });
  return { ready, stop: () => stop() };
}
