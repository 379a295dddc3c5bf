import { hash32, mulberry32 } from './util';

/** Latency and failure injection for one route (or all routes). */
export interface FaultConfig {
  /** Fixed latency, ms: the answer goes out this long after the request arrived (A32, emulator/src/latency.ts). */
  latencyMs?: number;
  /** Uniform random extra latency in [0, jitterMs), ms. */
  jitterMs?: number;
  /** Probability of 429 TooManyRequests (with retry-after). */
  p429?: number;
  /** Probability of 500 InternalServerError. */
  p500?: number;
  /** Probability of 503 ServiceUnavailable. */
  p503?: number;
  /** Probability that the connection is dropped (socket destroyed, no answer). */
  pDrop?: number;
  /** Probability that the call takes effect and THEN answers 500 (an ambiguous failure). */
  pLate500?: number;
  /** Probability that the call takes effect and THEN the connection is dropped. */
  pLateDrop?: number;
  /** retry-after seconds sent with 429 (default 1). */
  retryAfterSeconds?: number;
  /**
   * Instead of the probabilities: this fault on every other request the setting sees (the 1st,
   * 3rd, ...), the others answered normally. For calls made one after another, each first attempt
   * fails and its retry succeeds, whenever the call is made (a test harness choice, not OCI's).
   */
  alternate?: '429' | '500' | '503';
}

export interface FaultSettings {
  /** Applies to every route without its own entry. */
  global?: FaultConfig;
  /** By operation name (e.g. `ReencryptObject`); replaces the global entry for that route. */
  routes?: Record<string, FaultConfig>;
}

export type FaultKind = '429' | '500' | '503' | 'drop' | 'late500' | 'lateDrop';

export interface FaultDecision {
  delayMs: number;
  /** Injected instead of running the operation. */
  fault: '429' | '500' | '503' | 'drop' | undefined;
  /** Injected after the operation took effect. */
  late: 'late500' | 'lateDrop' | undefined;
  retryAfterSeconds: number;
}

export interface RouteCounters {
  calls: number;
  faults: Record<FaultKind, number>;
  /** Answers by HTTP status (injected faults included; drops are not). */
  statuses: Record<string, number>;
  /** Successful state-changing calls. */
  writes: number;
}

export interface CountersSnapshot {
  routes: Record<string, RouteCounters>;
  totalCalls: number;
  totalFaults: number;
  /** Successful state-changing API calls (PutObject, ReencryptObject, UpdateBucket, ...). */
  writes: number;
}

/**
 * Decides, per request, the latency and fault to inject. Each route draws from
 * its own PRNG stream seeded from (seed, route), so the same seed and the same
 * sequence of calls on a route give the same faults whatever other routes do.
 */
export class FaultInjector {
  private settings: FaultSettings;
  private readonly streams = new Map<string, () => number>();
  /** Requests seen by each `alternate` setting (by its key), since it was set. */
  private readonly alternations = new Map<string, number>();

  constructor(
    private readonly seed: number,
    settings: FaultSettings = {},
  ) {
    this.settings = structuredClone(settings);
  }

  get current(): FaultSettings {
    return structuredClone(this.settings);
  }

  /** Replace all settings (and restart the PRNG streams, so a sequence can be replayed). */
  set(settings: FaultSettings): void {
    this.settings = structuredClone(settings);
    this.streams.clear();
    this.alternations.clear();
  }

  setGlobal(config: FaultConfig | undefined): void {
    this.alternations.delete('');
    if (config) this.settings.global = { ...config };
    else delete this.settings.global;
  }

  setRoute(route: string, config: FaultConfig | undefined): void {
    this.alternations.delete(route);
    const routes = { ...(this.settings.routes ?? {}) };
    if (config) routes[route] = { ...config };
    else delete routes[route];
    this.settings.routes = routes;
  }

  /** Restart the PRNG streams from the seed. */
  reseed(): void {
    this.streams.clear();
  }

  /**
   * `bucket`: the bucket an Object Storage request addresses. A route setting keyed
   * `<Operation>@<bucket>` applies to that bucket only (e.g. one bucket whose listing fails).
   */
  decide(route: string, bucket?: string): FaultDecision {
    const scoped = bucket !== undefined ? this.settings.routes?.[`${route}@${bucket}`] : undefined;
    const config = scoped ?? this.settings.routes?.[route] ?? this.settings.global;
    const settingKey = scoped ? `${route}@${bucket}` : this.settings.routes?.[route] ? route : '';
    let next = this.streams.get(route);
    if (!next) {
      next = mulberry32((this.seed ^ hash32(route)) >>> 0);
      this.streams.set(route, next);
    }
    // Always draw two numbers so the stream position depends only on the call count.
    const jitterDraw = next();
    const faultDraw = next();
    const lateDraw = next();
    if (!config) return { delayMs: 0, fault: undefined, late: undefined, retryAfterSeconds: 1 };
    const delayMs = (config.latencyMs ?? 0) + (config.jitterMs ?? 0) * jitterDraw;
    let fault: FaultDecision['fault'];
    if (config.alternate) {
      const seen = this.alternations.get(settingKey) ?? 0;
      this.alternations.set(settingKey, seen + 1);
      return { delayMs, fault: seen % 2 === 0 ? config.alternate : undefined, late: undefined, retryAfterSeconds: config.retryAfterSeconds ?? 1 };
    }
    let edge = 0;
    const bands: [NonNullable<FaultDecision['fault']>, number | undefined][] = [
      ['429', config.p429],
      ['500', config.p500],
      ['503', config.p503],
      ['drop', config.pDrop],
    ];
    for (const [kind, p] of bands) {
      edge += p ?? 0;
      if (faultDraw < edge) {
        fault = kind;
        break;
      }
    }
    let late: 'late500' | 'lateDrop' | undefined;
    if (!fault) {
      if (lateDraw < (config.pLate500 ?? 0)) late = 'late500';
      else if (lateDraw < (config.pLate500 ?? 0) + (config.pLateDrop ?? 0)) late = 'lateDrop';
    }
    return { delayMs, fault, late, retryAfterSeconds: config.retryAfterSeconds ?? 1 };
  }
}

export class Counters {
  private routes = new Map<string, RouteCounters>();
  writes = 0;

  private route(name: string): RouteCounters {
    let c = this.routes.get(name);
    if (!c) {
      c = { calls: 0, faults: { '429': 0, '500': 0, '503': 0, drop: 0, late500: 0, lateDrop: 0 }, statuses: {}, writes: 0 };
      this.routes.set(name, c);
    }
    return c;
  }

  call(route: string): void {
    this.route(route).calls++;
  }

  fault(route: string, kind: FaultKind): void {
    this.route(route).faults[kind]++;
  }

  status(route: string, status: number): void {
    const c = this.route(route);
    c.statuses[status] = (c.statuses[status] ?? 0) + 1;
  }

  write(route: string): void {
    this.route(route).writes++;
    this.writes++;
  }

  snapshot(): CountersSnapshot {
    const routes: Record<string, RouteCounters> = {};
    let totalCalls = 0;
    let totalFaults = 0;
    for (const [name, c] of this.routes) {
      routes[name] = structuredClone(c);
      totalCalls += c.calls;
      totalFaults += Object.values(c.faults).reduce((sum, n) => sum + n, 0);
    }
    return { routes, totalCalls, totalFaults, writes: this.writes };
  }

  reset(): void {
    this.routes = new Map();
    this.writes = 0;
  }
}
