/**
 * Loads a module by its specifier. The default, {@link importFromCore}, is `import()` from
 * `@obs/core`'s own location, which is where npm, pnpm and yarn make a package's optional peers
 * resolvable when the application installed them.
 */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

/**
 * `import(specifier)` with a variable specifier, so TypeScript neither needs the optional package's
 * types nor a build-order edge to it (the sinks depend on core, not the other way round).
 */
export const importFromCore: ModuleImporter = (specifier) => import(specifier);

/** What became of importing an optional package. */
export type OptionalImport =
  | { status: 'loaded'; module: Record<string, unknown> }
  | { status: 'missing' }
  | { status: 'broken'; error: unknown };

/**
 * Imports `specifier`. Tells a package that is not installed (`missing`) apart from one that is
 * installed but failed to load (`broken`: a dependency of it is missing, a native addon did not load,
 * it threw while loading).
 */
export async function importOptional(specifier: string, importer: ModuleImporter): Promise<OptionalImport> {
  try {
    const module = await importer(specifier);
    if (typeof module !== 'object' || module === null) {
      return { status: 'broken', error: new TypeError(`importing ${specifier} gave ${String(module)}`) };
    }
    return { status: 'loaded', module: module as Record<string, unknown> };
  } catch (error) {
    return isPackageNotFound(error, specifier) ? { status: 'missing' } : { status: 'broken', error };
  }
}

/**
 * True when `error` says that the package `specifier` itself cannot be found: Node's
 * `ERR_MODULE_NOT_FOUND` (ESM, "Cannot find package '<specifier>' imported from …") or
 * `MODULE_NOT_FOUND` (CommonJS, "Cannot find module '<specifier>'"). A package that is there but
 * lacks one of its own dependencies or files names that dependency or file instead, so it is not
 * taken for missing.
 */
export function isPackageNotFound(error: unknown, specifier: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  return typeof message === 'string' && message.includes(`'${specifier}'`);
}

const NATIVE_LOAD_FAILURE =
  /Could not locate the bindings file|NODE_MODULE_VERSION|compiled against a different Node\.js version|Module did not self-register|\.node: (cannot open shared object|invalid ELF|wrong ELF)/i;

/** True when `error` or one of its causes says a native addon (a `.node` binding) did not load. */
export function isNativeLoadError(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e = error; typeof e === 'object' && e !== null && !seen.has(e); e = (e as Error).cause) {
    seen.add(e);
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (code === 'ERR_DLOPEN_FAILED') return true;
    if (typeof message === 'string' && NATIVE_LOAD_FAILURE.test(message)) return true;
  }
  return false;
}
