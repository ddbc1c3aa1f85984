// Target vs control (DICE's last step) as people read it: layers' plain sentence first, then the
// figures it is made of. Every number shown is one of the API's figures (GET /v1/projects/{id}'s
// `target_control`, or a priority evaluation's `target_control[].result`); nothing is computed here.

import { h } from "./dom.js";
import { figures } from "./panels.js";

const num = (n, digits = 1) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US", { maximumFractionDigits: digits }));
// Two significant digits, as layers writes p in its sentence (0.0005, 0.012, 0.43).
const p = (n) => Number(n).toLocaleString("en-US", { maximumSignificantDigits: 2 });

/** A project's result: sentence, "so far" note, incident figures, sentiment when compared. */
export function targetControlView(tc) {
  const verdict = tc.significant ? "A real change: unlikely to be chance (p < 0.05)." : "Not distinguishable from chance (p ≥ 0.05).";
  return h("div", { class: "target-control", dataset: { significant: String(tc.significant), soFar: String(tc.so_far) } },
    tc.so_far ? h("p", { class: "so-far" }, h("strong", {}, "So far: "), `the after period is still filling (${tc.days} of 90 days); figures change daily.`) : null,
    h("p", { class: "tc-summary" }, tc.summary),
    h("p", { class: "muted" }, verdict),
    figures([
      ["Target area, before", num(tc.target_before, 0)],
      ["Target area, after", num(tc.target_after, 0)],
      ["Matched controls, before (mean)", num(tc.control_before_mean)],
      ["Matched controls, after (mean)", num(tc.control_after_mean)],
      ["Difference in differences", num(tc.did), ` (95 % ${num(tc.did_low)} to ${num(tc.did_high)})`],
      ["Permutation p-value", p(tc.p_value)],
    ]),
    tc.sentiment
      ? h("p", { class: "muted" }, `Residents' sentiment (−1 to 1): target ${num(tc.sentiment.target_before_mean, 2)} → ${num(tc.sentiment.target_after_mean, 2)}, `
        + `controls ${num(tc.sentiment.control_before_mean, 2)} → ${num(tc.sentiment.control_after_mean, 2)} (p ${p(tc.sentiment.p_value)}).`)
      : null); // why not is in layers' sentence above
}

/** A priority's outcome: where its figures come from, the figures, then each measured project. */
export function outcomeView(evaluation) {
  const o = evaluation.outcome;
  const label = { target_vs_control: "Measured (target vs control)", hand_typed: "Hand-typed", none: "No figures" }[evaluation.outcome_source];
  return h("div", { class: "outcome", dataset: { source: evaluation.outcome_source } },
    h("p", {}, h("strong", {}, `${label}: `), evaluation.outcome_note),
    evaluation.outcome_source === "none" ? null : figures([
      [o.measure || "Outcome", `${num(o.before)} → ${num(o.after)}`, o.change_pct === null ? null : ` (${o.change_pct > 0 ? "+" : ""}${num(o.change_pct)} %)`],
    ]),
    evaluation.target_control.map((m) => h("section", { class: "measured-project", dataset: { project: m.project_id } },
      h("h3", {}, m.title, m.place ? h("span", { class: "muted" }, ` · ${m.place}`) : null),
      targetControlView(m.result))));
}
