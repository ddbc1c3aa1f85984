// The city's districts drawn as SVG from its GeoJSON (no tile server), one district picked
// out, the month's located concerns as dots. An equirectangular projection, corrected for the
// latitude, is exact enough at a city's scale.

import { h } from "./dom.js";

function rings(geometry) {
  if (!geometry) return [];
  if (geometry.type === "Polygon") return geometry.coordinates;
  if (geometry.type === "MultiPolygon") return geometry.coordinates.flat();
  return [];
}

function pointOf(geometry) {
  if (!geometry) return null;
  if (geometry.type === "Point") return geometry.coordinates;
  const flat = [geometry.coordinates].flat(Infinity);
  return flat.length >= 2 ? [flat[0], flat[1]] : null; // a line or area: its first vertex
}

/** The projection of [lon, lat] points onto a 1000-unit-wide drawing: x(lon), y(lat) as SVG
 * coordinates, and the drawing's width and height. */
export function projection(coords) {
  const lons = coords.map((c) => c[0]);
  const lats = coords.map((c) => c[1]);
  const [minLon, maxLon, minLat, maxLat] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const k = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
  const scale = 1000 / Math.max((maxLon - minLon) * k, maxLat - minLat);
  return {
    x: (lon) => ((lon - minLon) * k * scale).toFixed(1),
    y: (lat) => ((maxLat - lat) * scale).toFixed(1),
    width: Math.ceil((maxLon - minLon) * k * scale),
    height: Math.ceil((maxLat - minLat) * scale),
  };
}

export function drawMap({ city, current, points = [], marks = [], records = [], title }) {
  const districts = city.features.filter((f) => (f.properties || {}).kind === "district");
  const all = districts.flatMap((f) => rings(f.geometry).flat());
  if (!all.length) return h("p", { class: "muted" }, "The city has no district boundaries.");
  const { x, y, width, height } = projection(all);
  const path = (f) => rings(f.geometry).map((ring) => `M${ring.map((c) => `${x(c[0])},${y(c[1])}`).join("L")}Z`).join("");

  const titleId = `map-title-${Math.random().toString(36).slice(2, 8)}`;
  return h("svg", { class: "citymap", viewBox: `-10 -10 ${width + 20} ${height + 20}`, role: "img", "aria-labelledby": titleId },
    h("title", { id: titleId }, title),
    h("g", {}, districts.map((f) => h("path", {
      class: `district${f.properties.code === current ? " current" : ""}`, d: path(f),
    }, h("title", {}, f.properties.name || f.properties.code)))),
    // Department records (layers): small triangles at a point on each record's geometry.
    h("g", {}, records.map((f) => {
      const c = pointOf(f.geometry);
      if (!c) return null;
      const [px, py] = [Number(x(c[0])), Number(y(c[1]))];
      return h("path", { class: "record", d: `M${px},${py - 6}L${px + 5},${py + 4}L${px - 5},${py + 4}Z` },
        h("title", {}, `${f.properties.category} (${f.properties.department} #${f.properties.external_id})`));
    })),
    h("g", {}, points.map((p) => h("circle", {
      class: "concern", cx: x(p.geometry.coordinates[0]), cy: y(p.geometry.coordinates[1]), r: 6,
    }, h("title", {}, `${p.properties.topic || "unassigned"}: ${p.properties.text || ""}`)))),
    // Same-block connections (layers): squares, so they read apart from residents' concerns.
    h("g", {}, marks.map((m) => h("rect", {
      class: m.kind === "flag" ? "flag" : "connection", x: (Number(x(m.lon)) - 8).toFixed(1), y: (Number(y(m.lat)) - 8).toFixed(1), width: 16, height: 16,
    }, h("title", {}, m.title)))));
}
