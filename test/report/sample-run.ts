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
          },
        ],
      }),
      test({
        family: 'ipv6',
        namespace: 'ec-r1-snat-loadbalancer-ip-v6',
        status: 'failed',
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
