/**
 * `npm run bench [section...]`: runs the benchmark sections in scripts/bench/, each printing its
 * figures next to the reference it is compared with, measured in the same run.
 * Add a section by appending to SECTIONS.
 */
import { benchPasses } from './bench/pass-bench.js';
import { benchTill } from './bench/till-bench.js';
import { benchFanout } from './bench/fanout-bench.js';
import { benchGoogle } from './bench/google-bench.js';
import { benchJoin } from './bench/join-bench.js';
import { benchAnalytics } from './bench/analytics-bench.js';

interface Section {
  name: string;
  description: string;
  run: () => Promise<void>;
}

const SECTIONS: Section[] = [
  { name: 'passes', description: 'signed .pkpass building: our packager vs passkit-generator', run: benchPasses },
  { name: 'till', description: 'concurrent tills posting purchases on PostgreSQL vs a trivial request', run: benchTill },
  { name: 'fanout', description: 'a 100 000-card campaign: job runner + HTTP/2 APNs client vs one push at a time', run: benchFanout },
  { name: 'join', description: 'join-to-card on the server: the form and the texted code, vs GET /healthz', run: benchJoin },
  {
    name: 'analytics',
    description: 'program analytics for a year and a campaign report over 1 000 000 cards / 5 000 000 purchases, vs one pass over the purchases',
    run: benchAnalytics,
  },
  { name: 'google', description: 'Google calls per 100 000-card campaign: per object and class message vs one call per card', run: benchGoogle },
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !SECTIONS.some((s) => s.name === name));
if (unknown.length > 0) {
  console.error(`Unknown bench section(s): ${unknown.join(', ')}. Available: ${SECTIONS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

for (const section of SECTIONS) {
  if (wanted.length > 0 && !wanted.includes(section.name)) continue;
  console.log(`\n== ${section.name}: ${section.description}`);
  await section.run();
}
