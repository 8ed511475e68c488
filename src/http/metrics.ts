/**
 * Prometheus metrics for `GET /metrics` (off unless configured): requests by action and status,
 * policy decision latency (a histogram), event-loop delay and memory. Counting is a Map lookup
 * and an increment per request; the text format is only built when scraped.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Decision latency buckets in seconds: the policy answers in well under a microsecond. */
const DECISION_BUCKETS = [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 1e-4, 1e-3] as const;

export interface Metrics {
  /** One finished request. */
  request(action: string | undefined, status: number, seconds: number): void;
  /** One policy decision's duration. */
  decision(seconds: number): void;
  /** The Prometheus text exposition. */
  render(): string;
  stop(): void;
}

export function createMetrics(): Metrics {
  const requests = new Map<string, number>();
  let durationSum = 0;
  let durationCount = 0;
  const decisionCounts: number[] = DECISION_BUCKETS.map(() => 0);
  let decisionSum = 0;
  let decisionCount = 0;
  const loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();

  return {
    request(action, status, seconds) {
      const id = `${action ?? 'none'}\u0000${status}`;
      requests.set(id, (requests.get(id) ?? 0) + 1);
      durationSum += seconds;
      durationCount++;
    },
    decision(seconds) {
      for (let i = 0; i < DECISION_BUCKETS.length; i++) if (seconds <= DECISION_BUCKETS[i]!) decisionCounts[i]!++;
      decisionSum += seconds;
      decisionCount++;
    },
    render() {
      const lines: string[] = [
        '# HELP signpost_requests_total Requests answered, by action and status.',
        '# TYPE signpost_requests_total counter',
      ];
      for (const [id, n] of requests) {
        const [action, status] = id.split('\u0000');
        lines.push(`signpost_requests_total{action="${action}",status="${status}"} ${n}`);
      }
      lines.push(
        '# HELP signpost_request_duration_seconds Time from request to response end.',
        '# TYPE signpost_request_duration_seconds summary',
        `signpost_request_duration_seconds_sum ${durationSum}`,
        `signpost_request_duration_seconds_count ${durationCount}`,
        '# HELP signpost_decision_duration_seconds Policy decision time.',
        '# TYPE signpost_decision_duration_seconds histogram',
        ...DECISION_BUCKETS.map((le, i) => `signpost_decision_duration_seconds_bucket{le="${le}"} ${decisionCounts[i]}`),
        `signpost_decision_duration_seconds_bucket{le="+Inf"} ${decisionCount}`,
        `signpost_decision_duration_seconds_sum ${decisionSum}`,
        `signpost_decision_duration_seconds_count ${decisionCount}`,
        '# HELP signpost_event_loop_delay_seconds Event-loop delay since start (p50, p99, max).',
        '# TYPE signpost_event_loop_delay_seconds gauge',
        `signpost_event_loop_delay_seconds{quantile="0.5"} ${loop.percentile(50) / 1e9}`,
        `signpost_event_loop_delay_seconds{quantile="0.99"} ${loop.percentile(99) / 1e9}`,
        `signpost_event_loop_delay_seconds{quantile="1"} ${loop.max / 1e9}`,
        '# HELP signpost_resident_memory_bytes Resident set size.',
        '# TYPE signpost_resident_memory_bytes gauge',
        `signpost_resident_memory_bytes ${process.memoryUsage.rss()}`,
      );
      return `${lines.join('\n')}\n`;
    },
    stop() {
      loop.disable();
    },
  };
}
