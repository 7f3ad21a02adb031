import type { AuditLevel, Envelope } from './envelope.js';

/** Which events a sink receives; every given condition must hold. No route means every event. */
export interface Route {
  /** Event type globs: `*` matches any run of characters, so `llm.*` or `*.failed`. */
  types?: readonly string[];
  /** Audit levels to accept. */
  auditLevels?: readonly AuditLevel[];
  /** Any other condition; a predicate that throws counts as no match. */
  when?: (envelope: Envelope) => boolean;
}

interface CompiledRoute<T> {
  target: T;
  types: RegExp | null;
  levels: ReadonlySet<AuditLevel> | null;
  when: ((envelope: Envelope) => boolean) | null;
}

interface Candidates<T> {
  routes: CompiledRoute<T>[];
  targets: T[];
}

/** Compiles a type glob list into one anchored regular expression. */
export function globsToRegExp(globs: readonly string[]): RegExp {
  const alternatives = globs.map((glob) => glob.split('*').map(escapeRegExp).join('.*'));
  return new RegExp(`^(?:${alternatives.join('|')})$`);
}

const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** Sends each event to the targets whose route matches; type matches are cached per event type. */
export class Router<T> {
  readonly #routes: CompiledRoute<T>[];
  readonly #byType = new Map<string, Candidates<T>>();
  readonly #typeOnly: boolean;
  readonly #onPredicateError: (error: unknown) => void;

  constructor(
    entries: readonly { target: T; route?: Route | undefined }[],
    onPredicateError: (error: unknown) => void = () => {},
  ) {
    this.#routes = entries.map(({ target, route }) => ({
      target,
      types: route?.types && route.types.length > 0 ? globsToRegExp(route.types) : null,
      levels: route?.auditLevels ? new Set(route.auditLevels) : null,
      when: route?.when ?? null,
    }));
    this.#typeOnly = this.#routes.every((r) => r.levels === null && r.when === null);
    this.#onPredicateError = onPredicateError;
  }

  /** The targets that receive `envelope`. */
  route(envelope: Envelope): readonly T[] {
    const candidates = this.#candidates(envelope.event_type);
    if (this.#typeOnly) return candidates.targets;
    return candidates.routes.filter((r) => this.#matchesRest(r, envelope)).map((r) => r.target);
  }

  #candidates(eventType: string): Candidates<T> {
    let candidates = this.#byType.get(eventType);
    if (candidates === undefined) {
      const routes = this.#routes.filter((r) => r.types === null || r.types.test(eventType));
      candidates = { routes, targets: routes.map((r) => r.target) };
      if (this.#byType.size < 10_000) this.#byType.set(eventType, candidates);
    }
    return candidates;
  }

  #matchesRest(route: CompiledRoute<T>, envelope: Envelope): boolean {
    if (route.levels !== null && !route.levels.has(envelope.audit_level)) return false;
    if (route.when === null) return true;
    try {
      return route.when(envelope) === true;
    } catch (error) {
      this.#onPredicateError(error);
      return false;
    }
  }
}
