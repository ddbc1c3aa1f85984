// A topic's count allowing for the model's mistakes, as synthesis estimates it (ADR 0016): from
// the model's calibrated probabilities, with the range it is 90 % sure of ("about 40 (34–46)";
// "exactly 3" when supervisors labeled them all), shown beside the count as labeled (which the
// summary's sentences and the notes behind a figure still match). The district page's topics come
// from synthesis' insight, the city page's and the report's from the dashboard's own count of the
// month: the same estimate, from the same concerns.

import { fmt, h } from "./dom.js";

export function aboutCount(e) {
  // No doubt left (every concern of the topic labeled by a supervisor): the count itself.
  if (e.low === e.high) return `exactly ${fmt.int(e.count)}`;
  return `about ${fmt.int(e.count)} (${fmt.int(e.low)}–${fmt.int(e.high)})`;
}

export function estimateNote(e, id = "estimate-note") {
  const measured = e.basis === "corrections"
    ? `the ${fmt.int(e.labels)} topic corrections the city made`
    : `an evaluation on ${fmt.int(e.labels)} labeled concerns`;
  return h("p", { class: "muted", id },
    `“About” counts allow for the model's mistakes: they weigh how sure it was of each concern, checked against ${measured}, `
    + "so a topic it often mistakes for another is not over-counted; "
    + "there is a 9 in 10 chance the true number is in the range shown.");
}
