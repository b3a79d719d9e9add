// Draws the hotspot maps with our own copy of Leaflet (loaded before this file as a classic
// script). Data comes from same-origin JSON URLs named on the map element; colours come from CSS
// classes, so no style attribute is written into the markup. Without JavaScript the element stays
// hidden and the table below it carries every figure.
import { addAreaLabels } from "./labels.mjs";

const element = document.querySelector("[data-vawg-map]");

async function json(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

function text(parts) {
  // Tooltip content built as text nodes, never as HTML.
  const box = document.createElement("div");
  parts.forEach((part, i) => {
    if (i) box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(part));
  });
  return box;
}

function number(value) {
  return value === null || value === undefined ? "–" : value.toLocaleString("en-GB");
}

async function draw(L) {
  const kind = element.dataset.vawgMap;
  const map = L.map(element, {
    keyboard: true,
    zoomSnap: 0.25,
    attributionControl: true,
    preferCanvas: false,
  });
  map.attributionControl.setPrefix("Leaflet");
  const tiles = element.dataset.tileUrl;
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 17, attribution: "Background map: see the page's sources" }).addTo(map);
  }
  const [values, boroughs, wards] = await Promise.all([
    json(element.dataset.valuesUrl),
    json(element.dataset.boroughsUrl),
    kind === "wards" ? json(element.dataset.wardsUrl) : Promise.resolve(null),
  ]);
  // Colour: the public class (more, about or fewer offences than expected); the Gi* cluster is
  // named in the tooltip apart, in its own words.
  const classes = values.classes || {};
  const clusters = values.clusters || {};
  const cluster = (code) => (code ? `Cluster (Gi*): ${clusters[code] || code}` : "");
  if (kind === "wards") {
    L.geoJSON(wards, {
      style: (feature) => {
        const row = values.wards[feature.properties.code];
        const hotspot = row ? row[2] : "none";
        return { className: `vawg-area vawg-area--${hotspot}`, weight: 1 };
      },
      onEachFeature: (feature, layer) => {
        const row = values.wards[feature.properties.code];
        if (!row) return;
        layer.bindTooltip(
          text([
            `${row[3]} (${row[4]})`,
            classes[row[2]] || row[2],
            `Offences: ${number(row[0])}, expected: ${number(row[5])}`,
            `Rate per 1,000 female residents: ${row[1] === null ? "–" : row[1].toFixed(1)}`,
            cluster(row[6]),
          ].filter(Boolean)),
          { sticky: true },
        );
      },
    }).addTo(map);
  } else {
    for (const [reference, crimes, hotspot, corners, expected, gistar] of values.cells) {
      const lines = [
        reference,
        classes[hotspot] || hotspot,
        `Crimes: ${number(crimes)}, expected: ${number(expected)}`,
        cluster(gistar),
      ];
      L.polygon(corners, { className: `vawg-area vawg-area--${hotspot}`, weight: 0.5 })
        .bindTooltip(text(lines.filter(Boolean)), { sticky: true })
        .addTo(map);
    }
  }
  const outline = L.geoJSON(boroughs, {
    style: () => ({ className: "vawg-outline", fill: false, weight: 2, interactive: false }),
    interactive: false,
  }).addTo(map);
  map.fitBounds(outline.getBounds());
  addAreaLabels(L, map, { boroughs, wards });
  // Chromium makes every SVG shape that listens for focus (Leaflet's tooltips do) a tab stop:
  // hundreds of them on a ward map. Keep them out of the tab order; the table below the map
  // reaches every ward by keyboard.
  for (const shape of element.querySelectorAll(".leaflet-interactive")) {
    shape.setAttribute("tabindex", "-1");
  }
  element.setAttribute("data-vawg-map-ready", "true");
}

if (element && window.L) {
  element.hidden = false;
  const fallback = document.querySelector("[data-vawg-map-fallback]");
  if (fallback) fallback.hidden = true;
  draw(window.L).catch((error) => {
    element.hidden = true;
    if (fallback) {
      fallback.hidden = false;
      fallback.firstChild.textContent = "The map could not be drawn. ";
    }
    console.warn(error);
  });
}
