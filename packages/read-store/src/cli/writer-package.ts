import { UsageError } from './args.js';

/** `import()` from this package's location, where an installed optional peer resolves. */
const importHere = (specifier: string): Promise<unknown> => import(specifier);

/**
 * Loads a writer package (`@obs/sink-sqlite`, `@obs/sink-jsonl`), an optional peer of this
 * package: `obs import` and `obs prune` write through the writers' own code, and reading never
 * needs them installed. Throws `UsageError` with the install command when it is missing.
 */
export async function loadWriter<T>(
  specifier: '@obs/sink-sqlite' | '@obs/sink-jsonl',
  command: string,
): Promise<T> {
  try {
    return (await importHere(specifier)) as T;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const missing =
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      String((error as Error).message).includes(`'${specifier}'`);
    if (!missing) throw error;
    throw new UsageError(
      `obs ${command} writes through ${specifier}, which is not installed: npm i ${specifier}`,
    );
  }
}
