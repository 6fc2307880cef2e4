package io.redpacket.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
    @Test
    void onlyATrustedProxysForwardedAddressIsBelievedAndIpv6CountsPerPrefix() {
        TrustedProxies p = TrustedProxies.parse("127.0.0.1, 10.0.0.0/8");
        InetSocketAddress proxy = new InetSocketAddress("10.1.2.3", 5000);
        InetSocketAddress stranger = new InetSocketAddress("192.0.2.7", 5000);
        assertThat(p.clientAddress(proxy, "198.51.100.9")).isEqualTo("198.51.100.9");
        // a client-written entry on the left is not believed: the right-most untrusted hop is
        assertThat(p.clientAddress(proxy, "1.2.3.4, 198.51.100.9, 10.9.9.9")).isEqualTo("198.51.100.9");
        assertThat(p.clientAddress(stranger, "198.51.100.9")).isEqualTo("192.0.2.7");
        assertThat(p.clientAddress(proxy, "not-an-ip")).isEqualTo("10.1.2.3");
        assertThat(TrustedProxies.limitKey("2001:db8:1:2:3:4:5:6"))
                .isEqualTo(TrustedProxies.limitKey("2001:db8:1:2:ffff::1"));
        assertThat(TrustedProxies.limitKey("2001:db8:1:3::1")).isNotEqualTo(TrustedProxies.limitKey("2001:db8:1:2::1"));
        assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/33")).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> TrustedProxies.parse("example.com")).hasMessageContaining("not an IP address");
    }
}
