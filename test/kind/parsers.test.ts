/** Pure readers of the kind provider: docker inventory lines, image references. */
import { describe, expect, it } from 'vitest';
import { splitImage } from '../../harness/env/kind/image-reference.js';
import { isComplete, parseContainerLines } from '../../harness/env/kind/inventory.js';

describe('kind readers', () => {
  it('reads the inventory of environments', () => {
    const lines = 'e1-peer\trunning\te1\tpeer\ne1-peer-probe\texited\te1\tpeer-probe\n';
    const parsed = parseContainerLines(lines);
    expect(parsed).toEqual([
      { name: 'e1-peer', state: 'running', id: 'e1', role: 'peer' },
      { name: 'e1-peer-probe', state: 'exited', id: 'e1', role: 'peer-probe' },
    ]);
    const entry = {
      id: 'e1',
      containers: parsed,
      networks: ['e1'],
      nodes: [{ name: 'e1-control-plane', state: 'running', role: 'control-plane' }],
    };
    expect(isComplete(entry, ['e1-peer'], ['e1-control-plane'])).toBe(true);
    expect(isComplete(entry, ['e1-peer', 'e1-peer-probe'], ['e1-control-plane'])).toBe(false);
  });

  it('splits image references at the tag (kind-helm.sh get_image/get_tag)', () => {
    expect(splitImage('ghcr.io/ovn-org/ovn-kubernetes/ovn-kube-ubuntu:release-1.0')).toEqual({
      repository: 'ghcr.io/ovn-org/ovn-kubernetes/ovn-kube-ubuntu',
      tag: 'release-1.0',
    });
    expect(splitImage('mirror.local:5000/ovn/ovn-kube:v1')).toEqual({
      repository: 'mirror.local:5000/ovn/ovn-kube',
      tag: 'v1',
    });
    expect(splitImage('mirror.local:5000/ovn/ovn-kube')).toEqual({
      repository: 'mirror.local:5000/ovn/ovn-kube',
      tag: 'latest',
    });
  });
});
