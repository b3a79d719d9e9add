// Names on the hotspot maps: borough names, and ward names once the wards are large enough on
// screen to hold them. After every move or zoom the labels are placed again, largest area first:
// a label is left out if it is much wider than its area on screen or would overlap a label
// already placed, so the names that show are readable and apart. Names are set as text, never
// as HTML. Labels are drawing only (aria-hidden); the table under the map names every area.

const KINDS = {
  // minZoom: below it the kind is not tried at all (hundreds of wards at city scale would all be
  // rejected anyway); stretch: how much wider than its area a label may be.
  borough: { weight: "bold", size: 14, minZoom: 0, stretch: 1.6, lines: 2 },
  ward: { weight: "normal", size: 12, minZoom: 12, stretch: 1.15, lines: 2 },
};
const LINE_HEIGHT = 1.2;
const GAP_PX = 6; // clear space kept round each label

function outerRings(geometry) {
  if (!geometry) return [];
  if (geometry.type === "Polygon") return [geometry.coordinates[0]];
  if (geometry.type === "MultiPolygon") return geometry.coordinates.map((polygon) => polygon[0]);
  return [];
}

function ringArea(ring) {
  // Shoelace formula in degrees: only compared between rings of one feature.
  let twice = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    twice += ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
  }
  return Math.abs(twice) / 2;
}

function ringCentroidLat(ring) {
  let twice = 0;
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const cross = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
    twice += cross;
    sum += (ring[j][1] + ring[i][1]) * cross;
  }
  if (!twice) return ring.reduce((total, point) => total + point[1], 0) / ring.length;
  return sum / (3 * twice);
}

function widestChord(ring, lat) {
  // Where the parallel of latitude `lat` crosses the ring; the widest inside stretch.
  const crossings = [];
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x1, y1] = ring[j];
    const [x2, y2] = ring[i];
    if (y1 > lat !== y2 > lat) crossings.push(x1 + ((lat - y1) * (x2 - x1)) / (y2 - y1));
  }
  crossings.sort((a, b) => a - b);
  let best = null;
  for (let k = 0; k + 1 < crossings.length; k += 2) {
    const width = crossings[k + 1] - crossings[k];
    if (!best || width > best[1] - best[0]) best = [crossings[k], crossings[k + 1]];
  }
  return best;
}

function anchorOf(feature) {
  // The label sits in the middle of the widest stretch of the feature's largest part, on the
  // parallel through that part's centroid: inside the area even when the centroid is not.
  const rings = outerRings(feature.geometry);
  if (!rings.length) return null;
  const ring = rings.reduce((a, b) => (ringArea(b) > ringArea(a) ? b : a));
  const lats = ring.map((point) => point[1]);
  const south = Math.min(...lats);
  const north = Math.max(...lats);
  const lat = Math.min(north, Math.max(south, ringCentroidLat(ring)));
  const chord = widestChord(ring, lat);
  if (!chord) return null;
  return { lat, west: chord[0], east: chord[1], south, north, area: ringArea(ring) };
}

function splitName(name, lines) {
  // One line, or two of about equal length broken at a space ("Kensington" / "and Chelsea").
  const words = name.split(" ");
  if (lines < 2 || words.length < 2 || name.length < 12) return [name];
  let best = [name];
  let bestWidth = name.length;
  for (let k = 1; k < words.length; k += 1) {
    const pair = [words.slice(0, k).join(" "), words.slice(k).join(" ")];
    const width = Math.max(pair[0].length, pair[1].length);
    if (width < bestWidth) {
      best = pair;
      bestWidth = width;
    }
  }
  return best;
}

function labelElement(lines, kind) {
  const box = document.createElement("span");
  box.className = `vawg-label__text vawg-label__text--${kind}`;
  lines.forEach((line, i) => {
    if (i) box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(line));
  });
  return box;
}

function overlaps(a, b) {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/**
 * Add the name labels to a Leaflet map.
 *
 * `layers` is `{ boroughs, wards }`, GeoJSON FeatureCollections whose features carry
 * `properties.name` (`wards` may be null: only borough names are shown). Returns the layer group
 * holding the labels.
 */
export function addAreaLabels(L, map, layers) {
  const family = getComputedStyle(map.getContainer()).fontFamily || "sans-serif";
  const measure = document.createElement("canvas").getContext("2d");
  const candidates = [];
  for (const [kind, collection] of [
    ["borough", layers.boroughs],
    ["ward", layers.wards],
  ]) {
    if (!collection) continue;
    const style = KINDS[kind];
    measure.font = `${style.weight} ${style.size}px ${family}`;
    for (const feature of collection.features || []) {
      const name = feature.properties && feature.properties.name;
      const anchor = name ? anchorOf(feature) : null;
      if (!anchor) continue;
      const lines = splitName(name, style.lines);
      const width = Math.ceil(Math.max(...lines.map((line) => measure.measureText(line).width)));
      const height = Math.ceil(lines.length * style.size * LINE_HEIGHT);
      candidates.push({ kind, name, lines, width, height, anchor, style });
    }
  }
  // Boroughs before wards, then larger areas before smaller.
  candidates.sort(
    (a, b) => (a.kind === b.kind ? b.anchor.area - a.anchor.area : a.kind === "borough" ? -1 : 1),
  );

  map.createPane("vawg-labels");
  const group = L.layerGroup().addTo(map);
  const markers = new Map();

  function marker(candidate) {
    let made = markers.get(candidate);
    if (!made) {
      const icon = L.divIcon({
        className: `vawg-label vawg-label--${candidate.kind}`,
        html: labelElement(candidate.lines, candidate.kind),
        iconSize: [candidate.width, candidate.height],
        iconAnchor: [candidate.width / 2, candidate.height / 2],
      });
      const { lat, west, east } = candidate.anchor;
      made = L.marker([lat, (west + east) / 2], {
        icon,
        interactive: false,
        keyboard: false,
        pane: "vawg-labels",
      });
      markers.set(candidate, made);
    }
    return made;
  }

  function place() {
    const zoom = map.getZoom();
    const size = map.getSize();
    const placed = [];
    const shown = new Set();
    for (const candidate of candidates) {
      if (zoom < candidate.style.minZoom) continue;
      const { lat, west, east, south, north } = candidate.anchor;
      const left = map.latLngToContainerPoint([lat, west]);
      const right = map.latLngToContainerPoint([lat, east]);
      const top = map.latLngToContainerPoint([north, west]).y;
      const bottom = map.latLngToContainerPoint([south, west]).y;
      const roomX = right.x - left.x;
      const roomY = bottom - top;
      if (candidate.width > candidate.style.stretch * roomX) continue;
      if (candidate.height > candidate.style.stretch * roomY) continue;
      const x = (left.x + right.x) / 2;
      const y = left.y;
      const box = {
        left: x - candidate.width / 2 - GAP_PX,
        right: x + candidate.width / 2 + GAP_PX,
        top: y - candidate.height / 2 - GAP_PX,
        bottom: y + candidate.height / 2 + GAP_PX,
      };
      // Wholly inside the map: a name cut by the edge reads as another name.
      if (box.left + GAP_PX < 0 || box.top + GAP_PX < 0) continue;
      if (box.right - GAP_PX > size.x || box.bottom - GAP_PX > size.y) continue;
      if (placed.some((other) => overlaps(box, other))) continue;
      placed.push(box);
      shown.add(candidate);
    }
    for (const [candidate, made] of markers) {
      if (!shown.has(candidate) && group.hasLayer(made)) group.removeLayer(made);
    }
    for (const candidate of shown) {
      const made = marker(candidate);
      if (!group.hasLayer(made)) {
        group.addLayer(made);
        made.getElement().setAttribute("aria-hidden", "true");
      }
    }
    map.getContainer().dataset.vawgLabels = String(shown.size);
  }

  map.on("moveend", place);
  place();
  return group;
}
