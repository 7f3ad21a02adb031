import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './workspace.js';

const work = mkdtempSync(join(tmpdir(), 'obs-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const pnpm = (args: string[], cwd: string) =>
  execFileSync('pnpm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('@obs/core packed on its own', () => {
  it('installs with npm into an empty project and works there', () => {
    pnpm(['pack', '--pack-destination', work], join(ROOT, 'packages/core'));
    const tarball = readdirSync(work).find((f) => f.startsWith('obs-core-') && f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const listing = execFileSync('tar', ['-tzf', join(work, tarball!)], { encoding: 'utf8' });
    expect(listing).toContain('package/dist/index.js');
    expect(listing).toContain('package/dist/index.d.ts');
    expect(listing).not.toMatch(/\.test\.(js|ts)/);
    expect(listing).not.toContain('package/src/');

    const app = join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', join(work, tarball!)], {
      cwd: app,
      stdio: 'pipe',
    });
    writeFileSync(
      join(app, 'main.js'),
      `import { createObservability } from '@obs/core';
import { createMemorySink } from '@obs/core/testing';
const sink = createMemorySink();
const obs = createObservability({ source: 'packed', sinks: [sink] });
await obs.withContext({ run_id: 'r1' }, () => obs.span('work', async () => obs.emit('tool.call', { tool: 'search' })));
await obs.shutdown();
console.log(JSON.stringify(sink.events.map((e) => [e.event_type, e.run_id])));
`,
    );
    const out = execFileSync('node', ['main.js'], { cwd: app, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([
      ['tool.call', 'r1'],
      ['span', 'r1'],
    ]);
  });
});
