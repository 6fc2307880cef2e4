package io.redpacket.net;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who the client is. The socket's peer, unless the peer is one of the operator's proxies (CIDR list): then the
 * right-most X-Forwarded-For entry that is not itself a trusted proxy, i.e. the address the outermost trusted proxy
 * saw. Entries a client wrote itself sit further left and are never believed. Limits are counted per address, with
 * IPv6 addresses grouped by /64 (one subscriber's prefix), so rotating through one's own /64 does not help.
 */
public final class TrustedProxies {
    private record Cidr(byte[] network, int bits) {
        boolean contains(byte[] a) {
            if (a.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            return rest == 0 || ((a[full] ^ network[full]) & (0xFF << (8 - rest))) == 0;
        }
    }

    private final List<Cidr> proxies;

    private TrustedProxies(List<Cidr> proxies) {
        this.proxies = proxies;
    }

    public static TrustedProxies none() {
        return new TrustedProxies(List.of());
    }

    /** {@code 127.0.0.1,10.0.0.0/8,fd00::/8}; throws IllegalArgumentException naming the bad entry. */
    public static TrustedProxies parse(String spec) {
        List<Cidr> out = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return none();
        }
        for (String part : spec.split(",")) {
            String p = part.trim();
            int slash = p.indexOf('/');
            byte[] addr = NetUtil.createByteArrayFromIpAddressString(slash < 0 ? p : p.substring(0, slash));
            if (addr == null) {
                throw new IllegalArgumentException("'" + p + "' is not an IP address or CIDR block");
            }
            int bits = addr.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(p.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > addr.length * 8) {
                    throw new IllegalArgumentException("'" + p + "': prefix length must be 0.." + addr.length * 8);
                }
            }
            out.add(new Cidr(addr, bits));
        }
        return new TrustedProxies(List.copyOf(out));
    }

    public boolean isEmpty() {
        return proxies.isEmpty();
    }

    public boolean trusts(byte[] address) {
        for (Cidr c : proxies) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    public boolean trusts(SocketAddress peer) {
        return peer instanceof InetSocketAddress a
                && a.getAddress() != null
                && trusts(a.getAddress().getAddress());
    }

    /** The client's address as text: the peer's, or the forwarded one behind a trusted proxy (see class doc). */
    public String clientAddress(SocketAddress peer, String xForwardedFor) {
        String direct = peer instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress()
                : "";
        if (xForwardedFor == null || !trusts(peer)) {
            return direct;
        }
        String[] hops = xForwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            byte[] a = NetUtil.createByteArrayFromIpAddressString(hop);
            if (a == null) {
                // Garbage where an address should be: the proxy chain is broken, count the request against the proxy.
                return direct;
            }
            if (!trusts(a)) {
                return canonical(a, hop);
            }
        }
        return direct;
    }

    private static String canonical(byte[] a, String fallback) {
        try {
            return InetAddress.getByAddress(a).getHostAddress();
        } catch (UnknownHostException e) {
            return fallback;
        }
    }

    /** The key limits are counted under: the IPv4 address, or the /64 of an IPv6 address. */
    public static String limitKey(String address) {
        if (address.indexOf(':') < 0) {
            return address;
        }
        byte[] a = NetUtil.createByteArrayFromIpAddressString(address);
        if (a == null || a.length != 16) {
            return address;
        }
        StringBuilder sb = new StringBuilder("v6:");
        for (int i = 0; i < 8; i++) {
            sb.append(Character.forDigit((a[i] >> 4) & 0xF, 16)).append(Character.forDigit(a[i] & 0xF, 16));
        }
        return sb.append("/64").toString();
    }
}
