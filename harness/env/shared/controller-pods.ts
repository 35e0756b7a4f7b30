/**
 * Restarting upstream's EgressService controllers on a real cluster (kind, existing): their pods
 * are deleted and the DaemonSet starts new ones, whose controllers begin with empty caches and
 * run their repair (`repair()` of the zone controller, go-controller/pkg/ovn/controller/egressservice,
 * and of the node controller, go-controller/pkg/node/controllers/egressservice).
 *
 * Which pods: read from upstream's Helm chart at the release-1.3 pin
 * 251895cd534fcdc797a9fdbb7f289a95b63ea4af, the chart contrib/kind-helm.sh installs with one node
 * per zone (values-single-node-zone.yaml):
 * helm/ovn-kubernetes/charts/ovnkube-single-node-zone/templates/ovnkube-single-node-zone.yaml is
 * the DaemonSet `ovnkube-node` in namespace `ovn-kubernetes` whose pod template is labelled
 * `app: ovnkube-node`, and its `ovnkube-controller` container runs
 * `/root/ovnkube.sh ovnkube-controller-with-node`: the zone controller (OVN's policies and
 * address sets) and the node controller (the host's SNAT and ip rules) in one process. The
 * non-interconnect chart (charts/ovnkube-node) labels its pods the same. Held to the chart by
 * test/kind/controller-pods-upstream.test.ts. The cluster manager's controller (placement,
 * labels, in ovnkube-control-plane) is not restarted: the repairs this step exercises are the
 * node's and the zone's.
 *
 * Unlike the lab, a DaemonSet starts the new pods at once: the steps between `stopController`
 * and `startController` run while the old pods terminate and the new ones start, so a change
 * there may reach the new controllers before or after their repair.
 */
import type { ClusterApi, KubeObject } from '../environment.js';

/** The label selector of the pods that run upstream's EgressService node and zone controllers. */
export const CONTROLLER_POD_SELECTOR = 'app=ovnkube-node';

const POLL_MS = 2_000;

function isReady(pod: KubeObject): boolean {
  const conditions = (pod.status as { conditions?: Array<{ type: string; status: string }> } | undefined)
    ?.conditions;
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

function uidOf(pod: KubeObject): string {
  return String(pod.metadata.uid ?? '');
}

/** Deletes the controller pods and restarts them; keeps the old ones' uids for `awaitReplacements`. */
export class ControllerPods {
  private deleted: KubeObject[] = [];

  constructor(
    private readonly cluster: ClusterApi,
    private readonly namespace: string,
    private readonly timeoutMs = { gone: 180_000, ready: 300_000 },
    private readonly sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  ) {}

  private list(): Promise<KubeObject[]> {
    return this.cluster.list('v1', 'Pod', this.namespace, CONTROLLER_POD_SELECTOR);
  }

  /** Deletes every controller pod and waits until the deleted ones are gone. */
  async stop(): Promise<string> {
    const pods = await this.list();
    if (pods.length === 0) {
      throw new Error(
        `no pods labelled ${CONTROLLER_POD_SELECTOR} in namespace ${this.namespace}: cannot restart the EgressService controllers`,
      );
    }
    for (const pod of pods) {
      await this.cluster.delete(
        { apiVersion: 'v1', kind: 'Pod', namespace: this.namespace, name: pod.metadata.name },
        { uid: uidOf(pod) },
      );
    }
    this.deleted = pods;
    const old = new Set(pods.map(uidOf));
    const deadline = Date.now() + this.timeoutMs.gone;
    for (;;) {
      const left = (await this.list()).filter((p) => old.has(uidOf(p)));
      if (left.length === 0) break;
      if (Date.now() > deadline) {
        throw new Error(
          `controller pods still there ${this.timeoutMs.gone / 1000} s after deletion: ${left.map((p) => p.metadata.name).join(', ')}`,
        );
      }
      await this.sleep(POLL_MS);
    }
    return `deleted ${pods.length} pods (${this.namespace}, ${CONTROLLER_POD_SELECTOR}): ${pods.map((p) => p.metadata.name).join(', ')}`;
  }

  /** Waits until as many new controller pods as were deleted are Ready (none of the old ones left). */
  async start(): Promise<string> {
    const old = new Set(this.deleted.map(uidOf));
    const wanted = this.deleted.length;
    const deadline = Date.now() + this.timeoutMs.ready;
    for (;;) {
      const pods = await this.list();
      const fresh = pods.filter((p) => !old.has(uidOf(p)));
      const ready = fresh.filter(isReady);
      if (ready.length >= wanted && fresh.length === pods.length) {
        return `${ready.length} new pods Ready: ${ready.map((p) => p.metadata.name).join(', ')}`;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${ready.length} of ${wanted} new controller pods (${this.namespace}, ${CONTROLLER_POD_SELECTOR}) Ready after ${this.timeoutMs.ready / 1000} s`,
        );
      }
      await this.sleep(POLL_MS);
    }
  }
}
