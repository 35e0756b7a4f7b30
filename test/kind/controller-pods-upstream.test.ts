/**
 * The pods the kind and existing providers delete to restart upstream's EgressService
 * controllers (`stopController`, harness/env/shared/controller-pods.ts), read back from the
 * upstream chart at each pin set's commit: contrib/kind-helm.sh installs the single-node-zone
 * values with one node per zone (the bring-up's layout), whose DaemonSet runs the zone and node
 * controllers in its `ovnkube-controller` container, in the kind provider's OVN namespace, with
 * pods labelled as the selector says.
 *
 * Mirrors: EC_UPSTREAM_MIRRORS=DIR (a missing mirror FAILS), else /work/.mirror when present; a
 * clean clone without mirrors skips this file.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PIN_SET_NAMES, pinSet } from '../../harness/env/kind/pin-sets.js';
import { OVN_NAMESPACE } from '../../harness/env/kind/topology.js';
import { CONTROLLER_POD_SELECTOR } from '../../harness/env/shared/controller-pods.js';
import { REPOS, show } from './upstream-pins.js';

const STRICT = process.env.EC_UPSTREAM_MIRRORS !== undefined;
const TEMPLATE =
  'helm/ovn-kubernetes/charts/ovnkube-single-node-zone/templates/ovnkube-single-node-zone.yaml';

interface DaemonSetHead {
  kind: string;
  metadata: { name: string; namespace: string };
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> } };
  };
}

/** The DaemonSet up to its pod spec, which is Helm template text from there on. */
function daemonSetHead(text: string): DaemonSetHead {
  return parse(text.slice(0, text.indexOf('\n    spec:'))) as DaemonSetHead;
}

describe.skipIf(!STRICT && !existsSync(REPOS.ovn))(
  'the controller pods a restart deletes, read from upstream',
  () => {
    const [key, value] = CONTROLLER_POD_SELECTOR.split('=') as [string, string];

    it.each(PIN_SET_NAMES)(
      'pin set %s: kind-helm.sh installs the single-node-zone chart with one node per zone',
      (name) => {
        const commit = pinSet(name).ovnKubernetes.commit;
        const script = show(REPOS.ovn, commit, 'contrib/kind-helm.sh');
        expect(script).toContain('value_file="values-single-node-zone.yaml"');
        expect(show(REPOS.ovn, commit, 'helm/ovn-kubernetes/values-single-node-zone.yaml')).toContain(
          '# Requires: ovnkube-single-node-zone',
        );
      },
    );

    it.each(PIN_SET_NAMES)(
      'pin set %s: its DaemonSet is in the OVN namespace and its pods match the selector',
      (name) => {
        const text = show(REPOS.ovn, pinSet(name).ovnKubernetes.commit, TEMPLATE);
        const head = daemonSetHead(text);
        expect(head.kind).toBe('DaemonSet');
        expect(head.metadata.namespace).toBe(OVN_NAMESPACE);
        expect(head.spec.template.metadata.labels[key]).toBe(value);
        expect(head.spec.selector.matchLabels[key]).toBe(value);
        // One process runs the zone controller (OVN) and the node controller (the host's rules).
        expect(text).toContain('command: ["/root/ovnkube.sh", "ovnkube-controller-with-node"]');
      },
    );

    it('fails on a chart whose pods carry another label (the check can fail)', () => {
      const text = show(REPOS.ovn, pinSet('v1.3').ovnKubernetes.commit, TEMPLATE).replace(
        '        app: ovnkube-node\n',
        '        app: ovnkube-node-renamed\n',
      );
      expect(daemonSetHead(text).spec.template.metadata.labels[key]).not.toBe(value);
    });
  },
);
