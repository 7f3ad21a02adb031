import { startTestPostgres } from './test-postgres.js';

/** What {@link postgresGlobalSetup} needs of vitest's `TestProject` (vitest's own fits). */
export interface ProvidingProject {
  provide(key: 'pgUrl', value: string): void;
}

/**
 * A vitest `globalSetup`: one throwaway cluster ({@link startTestPostgres}) for a package's whole
 * run, its URL provided as `pgUrl` (tests read it with `inject('pgUrl')`); the returned teardown
 * stops and removes it. A package uses it as `export default postgresGlobalSetup` in its setup file,
 * next to a `ProvidedContext` declaration of `pgUrl: string`.
 */
export async function postgresGlobalSetup(project: ProvidingProject): Promise<() => Promise<void>> {
  const pg = await startTestPostgres();
  project.provide('pgUrl', pg.url);
  return () => pg.stop();
}
