// The offline parts of /places: the basemap drawn when no tile server is configured (Natural Earth country
// shapes from world-atlas, turned into GeoJSON by topojson-client), and search by the name of a town or a
// US ZIP code (GET /api/places/geocode) with a choice between towns of the same name. Text from the API
// only ever goes in through el() and textContent.
import { api, el } from '/js/api.js';

const BASEMAP_URL = '/lib/world-atlas/countries-50m.json';

function jumps(ring) {
  let count = 0;
  for (let i = 1; i < ring.length; i += 1) {
    if (Math.abs(ring[i][0] - ring[i - 1][0]) > 180) {
      count += 1;
    }
  }
  return count;
}

/**
 * The shapes are made for a spherical renderer; Leaflet draws them flat. A ring that crosses the
 * antimeridian (the Russian Far East, Fiji) would be drawn as a band across the whole world: it is drawn
 * continuous past 180° and again one turn to the west. A ring around a pole (Antarctica) jumps once, from
 * 180° to -180°: it goes round by the pole instead. Returns GeoJSON polygons' coordinates.
 */
function flatPolygons(geometry) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
  const result = [];
  for (const polygon of polygons) {
    const crossing = polygon.some((ring) => jumps(ring) >= 2);
    const rings = polygon.map((ring) => {
      if (crossing) {
        return ring.map(([lon, lat]) => [lon < 0 ? lon + 360 : lon, lat]);
      }
      if (jumps(ring) !== 1) {
        return ring;
      }
      const around = [];
      for (let i = 0; i < ring.length; i += 1) {
        if (i > 0 && Math.abs(ring[i][0] - ring[i - 1][0]) > 180) {
          const pole = ring[i][1] < 0 ? -90 : 90;
          around.push([ring[i - 1][0], pole], [ring[i][0], pole]);
        }
        around.push(ring[i]);
      }
      return around;
    });
    result.push(rings);
    if (crossing) {
      result.push(rings.map((ring) => ring.map(([lon, lat]) => [lon - 360, lat])));
    }
  }
  return result;
}

/** Border lines split where they would jump across the whole map. */
function flatLines(geometry) {
  const lines = [];
  for (const line of geometry.type === 'MultiLineString' ? geometry.coordinates : [geometry.coordinates]) {
    let part = [];
    for (const point of line) {
      if (part.length && Math.abs(point[0] - part[part.length - 1][0]) > 180) {
        lines.push(part);
        part = [];
      }
      part.push(point);
    }
    if (part.length > 1) {
      lines.push(part);
    }
  }
  return lines;
}

/**
 * Draws land, country borders and a sea-coloured background under everything else on the map. Resolves to
 * true once drawn, false when the shapes cannot be had (the map then stays a plain surface).
 */
export async function addBasemap(map) {
  const L = window.L;
  const topojson = window.topojson;
  const container = map.getContainer();
  if (!topojson) {
    return false;
  }
  container.classList.add('has-basemap');
  let topology;
  try {
    const response = await fetch(BASEMAP_URL, { credentials: 'same-origin' });
    if (!response.ok) {
      throw new Error(`${response.status}`);
    }
    topology = await response.json();
  } catch {
    container.classList.remove('has-basemap');
    return false;
  }
  const pane = map.createPane('basemap');
  pane.style.zIndex = '150'; // under the overlays (400) and the markers (600)
  pane.style.pointerEvents = 'none';
  const renderer = L.svg({ pane: 'basemap', padding: 0.5 });
  const countries = topology.objects.countries;
  const land = topojson.feature(topology, countries).features.flatMap((feature) => flatPolygons(feature.geometry));
  L.geoJSON({ type: 'MultiPolygon', coordinates: land }, {
    renderer,
    interactive: false,
    style: { className: 'basemap-land', stroke: false, fillOpacity: 1 },
  }).addTo(map);
  L.geoJSON({ type: 'MultiLineString', coordinates: flatLines(topojson.mesh(topology, countries, (a, b) => a !== b)) }, {
    renderer,
    interactive: false,
    style: { className: 'basemap-border', fill: false, weight: 0.8, opacity: 1 },
  }).addTo(map);
  container.classList.add('basemap-ready');
  return true;
}

/** Finds a town or a ZIP code: {query, unique, matches: [{name, region, country, population, lat, lon, postcode, label}]}. */
export function findPlace(text) {
  return api('/api/places/geocode?' + new URLSearchParams({ q: text, limit: '8' }));
}

function people(population) {
  return population ? `${new Intl.NumberFormat('en-US').format(population)} people` : '';
}

/**
 * Shows what a name found in `container`: for a town that stands out, "near …" and the others of the same
 * name; for an ambiguous name, every choice. `choose(match)` is called with the town picked.
 */
export function showChoices(container, answer, choose) {
  const [first, ...others] = answer.matches;
  const title = container.querySelector('.place-choices-title');
  const list = container.querySelector('.place-choices-list');
  const shown = answer.unique ? others.slice(0, 4) : answer.matches;
  title.textContent = answer.unique
    ? (shown.length ? `Showing places near ${first.label}. Another ${first.name}?` : `Showing places near ${first.label}.`)
    : `Several places are called ${first.name}. Which one do you mean?`;
  list.replaceChildren(...shown.map((match) => {
    const button = el('button', { className: 'place-choice', attrs: { type: 'button' } }, [
      el('span', { className: 'place-choice-name', text: match.label }),
      match.population ? el('span', { className: 'place-choice-meta', text: people(match.population) }) : null,
    ]);
    button.addEventListener('click', () => choose(match));
    return el('li', {}, [button]);
  }));
  list.hidden = shown.length === 0;
  container.classList.toggle('is-question', !answer.unique);
  container.hidden = false;
  if (!answer.unique) {
    list.querySelector('button')?.focus();
  }
}

export function hideChoices(container) {
  container.hidden = true;
  container.querySelector('.place-choices-list').replaceChildren();
}
