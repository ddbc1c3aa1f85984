// A department partner's board: the micro-projects of their department (all when none), live.

import { h, replace } from "../dom.js";
import { mountBoard } from "../board.js";
import { panel } from "../panels.js";

export async function render(main, { session }) {
  const scope = session.department ? `department=${encodeURIComponent(session.department)}` : "";
  const boardPanel = panel(session.department ? `${session.department}: micro-projects` : "All micro-projects", { id: "board", wide: true });
  replace(main, h("h1", {}, "Project board"), h("div", { class: "grid" }, boardPanel.el));
  const status = h("p", { class: "muted", role: "status", id: "board-status" });
  const holder = h("div", { id: "board-columns" });
  const board = mountBoard(holder, status, scope);
  board.ready.then((r) => boardPanel.show(r, () => [status, holder]));
  return () => board.stop();
}
