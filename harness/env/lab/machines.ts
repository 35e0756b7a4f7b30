/**
 * The join of the lab's two halves: a running lab (infra/) as the machines the reference
 * implementation (reference/) declares it needs. Neither half knows the other; this is the one
 * place that knows both.
 */
import type { Lab } from './infra/lab.js';
import type { Machines } from './reference/machines.js';

export function labMachines(lab: Lab): Machines {
  return {
    layout: lab.plan,
    runScript: (node, script) => lab.execScript(node, script),
    createPod: (node, pod) => lab.createPod(node, pod),
    deletePod: (node, pod) => lab.deletePod(node, pod),
    listPods: (node) => lab.listPods(node),
    startServer: (node, pod, port, name) => lab.startServer(node, pod, port, name),
    startHostServer: (node, owner, port, name) => lab.startHostServer(node, owner, port, name),
    stopHostServer: (node, owner, port) => lab.stopHostServer(node, owner, port),
    stopHostServers: (node) => lab.stopHostServers(node),
    announce: (node, prefix, peers) => lab.announce(node, prefix, peers),
    withdraw: (node, prefix, peers) => lab.withdraw(node, prefix, peers),
    isNodeFailed: (node) => lab.isNodeFailed(node),
    restoreNode: (node) => lab.restoreNode(node),
    podNetns: (pod) => lab.podNetns(pod),
    ...(lab.plan.dataPlane === 'ovn' ? { ovnNbctl: (argv: readonly string[]) => lab.ovnNbctl(argv) } : {}),
  };
}
