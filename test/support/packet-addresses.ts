/**
 * What the lab tests read from a probe's echo and a capture: the source address an echo server
 * saw, and every IP packet's (source, destination) with tshark as the reader (the capture reader
 * of harness/capture is what these tests check against, so it is not used here).
 */
import { execa } from 'execa';

/** The address without brackets and port, from an echoed `ip:port` / `[ip]:port`. */
export function echoedIp(echo: string): string {
  const v6 = /^\[(.+)\]:\d+$/.exec(echo);
  return v6 ? (v6[1] as string) : echo.replace(/:\d+$/, '');
}

/** (source, destination) of every IP packet in a pcap, read by tshark. */
export async function packetAddresses(file: string): Promise<Array<{ src: string; dst: string }>> {
  const fields = ['ip.src', 'ipv6.src', 'ip.dst', 'ipv6.dst'].flatMap((field) => ['-e', field]);
  const { stdout } = await execa('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=,', ...fields]);
  return stdout
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [src4 = '', src6 = '', dst4 = '', dst6 = ''] = line.split(',');
      return { src: src4 || src6, dst: dst4 || dst6 };
    });
}
