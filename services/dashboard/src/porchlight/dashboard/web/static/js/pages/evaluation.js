// DICE step 5, evaluate: pick a priority, see how its projects went and its outcome — measured by
// target vs control where layers has data for its completed projects, hand-typed (and labelled
// so) only where it has none. Reached from the nav or a done card's "Priority evaluation" link.

import { call } from "../api.js";
import { fmt, h, navigate, replace } from "../dom.js";
import { figures, panel } from "../panels.js";
import { ownDistrict } from "../session.js";
import { outcomeView } from "../targetcontrol.js";

export async function render(main, { session, args }) {
  const [priorityId] = args;
  const own = ownDistrict(session);
  const pick = panel("Priorities", { id: "priorities" });
  const result = panel("Evaluation", { id: "evaluation", wide: true });
  replace(main, h("h1", {}, "Priority evaluation"), h("div", { class: "grid" }, pick.el, result.el));
  const list = await call("projects", `/v1/priorities${own ? `?district=${encodeURIComponent(own)}` : ""}`);
  pick.show(list, (priorities) => priorities.length
    ? h("ul", {}, priorities.map((pr) => h("li", {}, h("a", { href: `#/evaluation/${pr.id}`, "aria-current": pr.id === priorityId ? "page" : null },
      `${pr.title}`), h("span", { class: "muted" }, ` · ${pr.district} · ${pr.quarter}`))))
    : h("p", { class: "muted" }, "No priorities yet."));
  if (!priorityId) {
    if (list.ok && list.data.length) navigate(`#/evaluation/${list.data[0].id}`);
    else result.show({ ok: true, data: null }, () => h("p", { class: "muted" }, "Pick a priority."));
    return;
  }
  const r = await call("projects", `/v1/priorities/${encodeURIComponent(priorityId)}/evaluation`);
  result.show(r, (e) => [
    h("p", {}, h("strong", {}, e.title), h("span", { class: "muted" }, ` · ${e.district} · ${e.quarter}`)),
    figures([
      ["Projects", fmt.int(e.projects)],
      ["Done", fmt.int(e.done)],
      ["In progress", fmt.int(e.in_progress)],
      ["Overdue", fmt.int(e.overdue)],
      ["On time", fmt.pct(e.on_time_share)],
      ["Wins published", fmt.int(e.wins_published)],
    ]),
    h("h3", {}, "Outcome"),
    outcomeView(e),
  ]);
}
