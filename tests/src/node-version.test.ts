import { describe, expect, it } from 'vitest';
import { publishedPackages } from './workspace.js';

/** The Node majors `npm test` runs on: this one (20) and, through scripts/other-nodes.mjs, 22 and 24. */
const TESTED_NODE_MAJORS = [20, 22, 24];

/** The oldest Node the packages accept: 20.15 brought `zlib.crc32`, which the trail's hash chain uses. */
const MINIMUM_NODE = '20.15';

const major = Number(process.versions.node.split('.')[0]);

describe(`the Node these tests run on (${process.version})`, () => {
  it('is one of the tested versions, and the one scripts/other-nodes.mjs asked for', () => {
    expect(TESTED_NODE_MAJORS).toContain(major);
    const expected = process.env['OBS_EXPECT_NODE_MAJOR'];
    if (expected !== undefined) expect(major).toBe(Number(expected));
  });

  it.each(publishedPackages().map((p) => [p.manifest.name, p.manifest.engines?.['node']]))(
    '%s declares the oldest tested Node line (from 20.15) as its minimum',
    (_name, engine) => {
      expect(MINIMUM_NODE.startsWith(`${Math.min(...TESTED_NODE_MAJORS)}.`)).toBe(true);
      expect(engine).toBe(`>=${MINIMUM_NODE}`);
    },
  );
});
