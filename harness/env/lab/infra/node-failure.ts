/**
 * Node failure, as a machine that lost power looks from the network: nothing enters or leaves
 * the node any more, its pods included. An nftables table of its own drops every packet at
 * prerouting and output (loopback excepted), before any other hook.
 *
 * Why not `docker pause`: a frozen container's kernel keeps forwarding, NATing and answering
 * (a paused node still answers ping and would keep SNATing other nodes' egress), and a paused
 * container cannot be inspected. With the drop table FRR keeps running but its sessions die when
 * the peers' hold timers (3 s) expire, so the node's announcements are withdrawn within about
 * 3 s; restoring deletes the table and the sessions come back within a second or two.
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
