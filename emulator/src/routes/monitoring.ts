import { type Route, jsonBody } from '../http';
import type { MonitoringService } from '../monitoring';

/**
 * Monitoring, ingestion side: PostMetricData. OCI serves it on the
 * telemetry-ingestion host only; the emulator serves every service on one
 * address, so any client endpoint pointed at it reaches this route.
 */
export function monitoringRoutes(monitoring: MonitoringService): Route[] {
  return [
    {
      method: 'POST', pattern: /^\/20180401\/metrics$/, operation: 'PostMetricData', write: true,
      handler: (ctx) => ({ status: 200, body: monitoring.post(jsonBody<Record<string, unknown>>(ctx)) }),
    },
  ];
}
