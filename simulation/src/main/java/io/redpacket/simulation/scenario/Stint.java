package io.redpacket.simulation.scenario;

import java.util.List;

/**
 * A stretch of the show in which an account plays from one device and one address: it shakes only within
 * [{@code fromMs}, {@code toMs}) (ms from the crowd's start); opens of its wins may land a moment after {@code toMs}.
 * With several {@code ips} (a rotating proxy), each request goes out from the next, cycling.
 */
public record Stint(long fromMs, long toMs, Device device, List<String> ips) {
    public Stint {
        ips = List.copyOf(ips);
        if (ips.isEmpty() || toMs <= fromMs) {
            throw new IllegalArgumentException(
                    "a stint needs an address and a positive length: " + fromMs + ".." + toMs + " " + ips);
        }
    }

    public Stint(long fromMs, long toMs, Device device, String ip) {
        this(fromMs, toMs, device, List.of(ip));
    }

    /** Its (first) address. */
    public String ip() {
        return ips.get(0);
    }

    public boolean covers(long t) {
        return t >= fromMs && t < toMs;
    }
}
