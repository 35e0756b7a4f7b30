/** A run result with one of everything the reports must show: pass, failure, skips, provisional. */
import type { RunResult, TestResult } from '../../harness/run/results.js';
import { testDescription } from '../support/recording-environment.js';

function test(overrides: Partial<TestResult>): TestResult {
  return {
    scenarioId: 'snat-loadbalancer-ip',
    title: 'Endpoint pods egress with the LoadBalancer IP',
    file: 'suites/core/snat-loadbalancer-ip.yaml',
    profile: 'core',
    features: ['SourceIPLoadBalancer'],
    statements: ['ES-SNAT-1', 'ES-SNAT-2'],
    provisional: false,
    family: 'ipv4',
    namespace: 'ec-r1-snat-loadbalancer-ip-v4',
    status: 'passed',
    durationMs: 1234,
    steps: [
      { index: 0, kind: 'apply', line: 70, status: 'passed', durationMs: 12, detail: 'applied Service web' },
    ],
    evidence: [],
    ...overrides,
  };
}

/** The sample's clock: its tests' steps and packets count from here. */
export const T0 = Date.parse('2026-11-26T10:00:00.000Z');

export function sampleRun(reportDir: string): RunResult {
  return {
    runId: 'r1',
    toolVersion: '0.1.0',
    startedAt: '2026-11-26T10:00:00.000Z',
    finishedAt: '2026-11-26T10:01:40.500Z',
    environment: testDescription(),
    options: { provider: 'lab', profile: 'all', existing: { password: '<redacted>' } },
    tests: [
      test({
        evidence: [
          {
            probe: 'endpoints-tcp',
            capture: 'artifacts/ec-r1-snat-loadbalancer-ip-v4/endpoints-tcp-ipv4-0.pcap',
            target: 'peer peer 198.51.100.10:8080',
            protocol: 'tcp',
            expected: 'the LoadBalancer IP 203.0.113.1',
            totalPackets: 30,
            matchedPackets: 30,
            sources: { '203.0.113.1': 30 },
            offenders: [],
            attempts: 9,
            attemptsOk: 9,
            passed: true,
            message: 'endpoints-tcp/ipv4: 30/30 packets',
            family: 'ipv4',
            packets: {
              destination: '198.51.100.10',
              startMs: T0 + 100,
              sources: ['203.0.113.1'],
              expected: ['203.0.113.1'],
              rule: 'equals',
              points: Array.from({ length: 30 }, (_, i) => [i * 10, 0, 0] as [number, number, 0]),
              total: 30,
            },
          },
        ],
      }),
      test({
        family: 'ipv6',
        namespace: 'ec-r1-snat-loadbalancer-ip-v6',
        status: 'failed',
        steps: [
          {
            index: 0,
            kind: 'apply',
            line: 70,
            status: 'passed',
            durationMs: 12,
            detail: 'applied Service web',
            startedAtMs: T0,
          },
          {
            index: 1,
            kind: 'probe',
            line: 77,
            status: 'failed',
            durationMs: 900,
            detail: '47/50 packets <script>alert(1)</script>',
            startedAtMs: T0 + 20,
          },
        ],
        events: [{ atMs: T0 + 500, kind: 'status.host', label: 'status.host of web first seen: n1' }],
        evidence: [
          {
            probe: 'endpoints-tcp',
            capture: 'artifacts/ec-r1-snat-loadbalancer-ip-v6/endpoints-tcp-ipv6-1.pcap',
            target: 'peer peer [2001:db8:5100::10]:8080',
            protocol: 'tcp',
            expected: 'the LoadBalancer IP 2001:db8:100::1',
            totalPackets: 50,
            matchedPackets: 47,
            sources: { '2001:db8:100::1': 47, '2001:db8::11': 3 },
            offenders: [0, 1, 2].map((i) => ({
              time: `2026-11-26T10:00:0${i}.000000000Z`,
              src: '2001:db8::11',
              dst: '2001:db8:5100::10',
              srcPort: 40000 + i,
              dstPort: 8080,
            })),
            attempts: 10,
            attemptsOk: 10,
            passed: false,
            message: 'endpoints-tcp/ipv6: 3/50 packets had source 2001:db8::11',
            family: 'ipv6',
            packets: {
              destination: '2001:db8:5100::10',
              startMs: T0 + 30,
              sources: ['2001:db8::11', '2001:db8:100::1'],
              expected: ['2001:db8:100::1'],
              rule: 'equals',
              points: [
                ...[0, 1, 2].map((i) => [i, 0, 1] as [number, number, 1]),
                ...Array.from({ length: 47 }, (_, i) => [10 + i * 10, 1, 0] as [number, number, 0]),
              ],
              total: 50,
            },
          },
        ],
        earlierEvidence: [
          {
            probe: 'endpoints-tcp',
            capture: 'artifacts/ec-r1-snat-loadbalancer-ip-v6/endpoints-tcp-ipv6-0.pcap',
            target: 'peer peer [2001:db8:5100::10]:8080',
            protocol: 'tcp',
            expected: 'the LoadBalancer IP 2001:db8:100::1',
            totalPackets: 5,
            matchedPackets: 0,
            sources: { '2001:db8::11': 5 },
            offenders: [],
            attempts: 1,
            attemptsOk: 1,
            passed: false,
            message: 'earlier round',
            family: 'ipv6',
            packets: {
              destination: '2001:db8:5100::10',
              startMs: T0 + 25,
              sources: ['2001:db8::11'],
              expected: ['2001:db8:100::1'],
              rule: 'equals',
              points: [0, 1, 2, 3, 4].map((i) => [i, 0, 1] as [number, number, 1]),
              total: 5,
            },
          },
        ],
        failedStatements: ['ES-SNAT-1', 'ES-SNAT-2'],
        message:
          'ES-SNAT-1, ES-SNAT-2: step 5 (probe, suites/core/snat-loadbalancer-ip.yaml:77): 47/50 packets to 2001:db8:5100::10:8080/tcp had source 2001:db8::11 <& "quoted">, expected the LoadBalancer IP 2001:db8:100::1',
        diagnostics: 'diagnostics/ec-r1-snat-loadbalancer-ip-v6',
      }),
      test({
        scenarioId: 'failover',
        profile: 'extended',
        features: ['Failover'],
        statements: ['ES-FAIL-1'],
        status: 'skipped',
        skipReason: 'not-supported',
        message: 'the environment does not support Failover',
        durationMs: 0,
        steps: [],
      }),
      test({
        scenarioId: 'leak-window',
        profile: 'extended',
        features: ['NoLeakOnPlacement'],
        statements: ['ES-LEAK-1'],
        provisional: true,
        status: 'failed',
        failedStatements: ['ES-LEAK-1'],
        message: 'ES-LEAK-1: 3 packets left with the node IP after status.host was published',
      }),
    ],
    phases: [{ name: 'bring-up', durationMs: 20000 }],
    interrupted: false,
    reportDir,
  };
}
