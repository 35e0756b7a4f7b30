/**
 * Node failure, as a machine that lost power looks from the network: nothing enters or leaves
 * the node any more, its pods included. An nftables table of its own drops every packet at
 * prerouting and output (loopback excepted), before any other hook.
 *
 * Why not `docker pause`: a frozen container's kernel keeps forwarding, NATing and answering
 * (a paused node still answers ping and would keep SNATing other nodes' egress), and a paused
 * container cannot be inspected. With the drop table FRR keeps running but its sessions die when
 * the peers' hold timers (3 s; 9 s on the OVN data plane) expire, so the node's announcements
 * are withdrawn within about that long; restoring deletes the table and the sessions come back within a second or two.
 */
export const FAILED_NFT_TABLE = 'lab-failed';

export const FAIL_NODE_SCRIPT = `nft -f - <<'NFT'
table inet ${FAILED_NFT_TABLE} {
  chain prerouting {
    type filter hook prerouting priority -400; policy drop;
    iif lo accept
  }
  chain output {
    type filter hook output priority -400; policy drop;
    oif lo accept
  }
}
NFT
`;

export const RESTORE_NODE_SCRIPT = `nft delete table inet ${FAILED_NFT_TABLE} 2>/dev/null || true\n`;

/** Prints `failed` or `ok`. */
export const NODE_STATE_SCRIPT = `if nft list table inet ${FAILED_NFT_TABLE} >/dev/null 2>&1; then echo failed; else echo ok; fi\n`;

/**
 * With the OVN data plane the node's underlay interface belongs to Open vSwitch, which reads and
 * writes it in userspace (AF_PACKET), past the kernel's hooks: the drop table alone would leave
 * the node's tunnels (its pods' traffic) up. Taking the interface down cuts them too.
 */
export const OVN_UNDERLAY = 'eth0';
export const FAIL_OVN_NODE_SCRIPT = `${FAIL_NODE_SCRIPT}ip link set ${OVN_UNDERLAY} down\n`;
export const RESTORE_OVN_NODE_SCRIPT = `ip link set ${OVN_UNDERLAY} up\n${RESTORE_NODE_SCRIPT}`;
