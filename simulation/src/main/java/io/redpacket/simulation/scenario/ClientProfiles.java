package io.redpacket.simulation.scenario;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Realistic-looking account ids, device ids, User-Agents and client addresses, so that nothing in the logs says who is
 * a fraudster but what they do: every population draws from the same formats. Deterministic for a seeded random; never
 * hands out the same account id, device id or address twice.
 */
final class ClientProfiles {
    private static final String[] GIVEN = {
        "wei", "fang", "min", "jing", "li", "qiang", "lei", "yan", "jun", "yang", "tao", "ming", "chao", "xiu", "hui",
        "hong", "ping", "gang", "na", "yu", "xin", "hao", "ting", "jie", "mei", "bo", "lin", "xue", "kai", "rui"
    };
    private static final String[] FAMILY = {
        "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu",
        "guo", "he", "lin", "luo", "gao", "liang", "song", "tang", "han", "feng", "deng", "cao", "peng", "xie", "tian"
    };
    private static final String[] ANDROID_MODELS = {
        "SM-S9180",
        "SM-G9910",
        "SM-A5360",
        "2211133C",
        "23049RAD8C",
        "M2102J2SC",
        "22081212C",
        "V2227A",
        "V2163A",
        "PGT-AN10",
        "NOH-AN00",
        "ALN-AL00",
        "JAD-AL50",
        "PHB110",
        "PFZM10",
        "RMX3366",
        "RMX3706",
        "LE2120",
        "PJD110",
        "CPH2451",
        "MEIZU 20",
        "NX729J",
        "TAS-AN00",
        "ANA-AN00"
    };
    private static final String[] ANDROID_BUILDS = {
        "TP1A.220624.014",
        "TKQ1.221114.001",
        "SKQ1.211006.001",
        "UKQ1.230804.001",
        "RKQ1.200826.002",
        "UP1A.231005.007",
        "SP1A.210812.016",
        "HUAWEIALN-AL00",
        "QKQ1.191222.002"
    };
    /** The HTTP stack iOS reports (its version follows the OS); the model is not in an iOS app's User-Agent. */
    private static final String[] CFNETWORK = {
        "1335.0.3", "1399", "1404.0.5", "1408.0.4", "1410.0.3", "1474", "1485", "1490.0.4"
    };

    private static final String[] ANDROID_TABLETS = {"SM-X710", "M2105K81AC", "BAH3-AN10", "HEY2-W09"};
    private static final String[] IOS_VERSIONS = {
        "15.7.9", "16.3.1", "16.6", "16.7.2", "17.0.3", "17.1.1", "17.1.2", "17.2"
    };
    private static final int[] ANDROID_VERSIONS = {10, 11, 12, 12, 13, 13, 13, 14, 14};
    private static final String[] APP_VERSIONS = {
        "8.0.38", "8.0.40", "8.0.41", "8.0.42", "8.0.42", "8.0.43", "8.0.43", "8.0.43"
    };
    /**
     * What operators' scripts send: an HTTP library's default, an emulator's Dalvik string, or one genuine app string
     * captured once and replayed by every account.
     */
    private static final String[] SCRIPT_AGENTS = {
        "okhttp/4.9.3",
        "okhttp/3.14.9",
        "Dalvik/2.1.0 (Linux; U; Android 9; SM-G977N Build/LMY48Z)",
        "Dalvik/2.1.0 (Linux; U; Android 7.1.2; SM-N976N Build/QP1A.190711.020)"
    };

    /** Home and mobile broadband (first two octets of blocks Chinese ISPs announce). */
    private static final int[][] RESIDENTIAL = {
        {36, -1}, {39, -1}, {42, -1}, {58, -1}, {59, -1}, {60, -1}, {61, -1}, {101, -1}, {106, -1}, {110, -1},
        {111, -1}, {112, -1}, {113, -1}, {114, -1}, {115, -1}, {116, -1}, {117, -1}, {118, -1}, {119, -1}, {120, -1},
        {121, -1}, {122, -1}, {123, -1}, {124, -1}, {125, -1}, {171, -1}, {175, -1}, {180, -1}, {182, -1}, {183, -1},
        {218, -1}, {219, -1}, {220, -1}, {221, -1}, {222, -1}, {223, -1}
    };
    /** Mobile carriers' NAT egress. */
    private static final int[][] CARRIER = {{111, -1}, {117, -1}, {223, -1}, {112, -1}, {39, -1}};
    /** University networks. */
    private static final int[][] CAMPUS = {{202, 112}, {166, 111}, {219, 224}, {202, 120}, {210, 45}};
    /** Cloud and hosting ranges, where scripts and many proxies run. */
    private static final int[][] HOSTING = {
        {47, 92},
        {47, 100},
        {47, 103},
        {8, 130},
        {43, 138},
        {101, 35},
        {119, 28},
        {121, 40},
        {139, 196},
        {150, 158},
        {120, 78},
        {114, 55}
    };

    /** The kinds of address a population's accounts come from. */
    enum Network {
        RESIDENTIAL,
        CARRIER,
        CAMPUS,
        HOSTING
    }

    private final Random random;
    private final Set<String> accounts = new HashSet<>();
    private final Set<String> devices = new HashSet<>();
    private final Set<String> ips = new HashSet<>();

    ClientProfiles(Random random) {
        this.random = random;
    }

    /** A fresh account id: a platform id ({@code wxid_...}) or a handle, like people pick. */
    String accountId() {
        while (true) {
            String id;
            if (random.nextBoolean()) {
                id = "wxid_" + alnum(14);
            } else {
                id = handle()
                        + switch (random.nextInt(4)) {
                            case 0 -> String.valueOf(1970 + random.nextInt(40));
                            case 1 -> "_" + (10 + random.nextInt(990));
                            case 2 -> String.valueOf(random.nextInt(100));
                            default -> "" + (char) ('a' + random.nextInt(26)) + random.nextInt(10_000);
                        };
            }
            if (accounts.add(id)) {
                return id;
            }
        }
    }

    /** {@code n} fresh ids numbered in sequence from one handle, as a registration script makes them. */
    List<String> sequentialAccountIds(int n) {
        while (true) {
            String base = handle() + (random.nextBoolean() ? "_" : "");
            int first = 100 + random.nextInt(800);
            List<String> ids = new java.util.ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ids.add(base + (first + i));
            }
            if (ids.stream().noneMatch(accounts::contains)) {
                accounts.addAll(ids);
                return ids;
            }
        }
    }

    private String handle() {
        return random.nextBoolean()
                ? FAMILY[random.nextInt(FAMILY.length)] + GIVEN[random.nextInt(GIVEN.length)]
                : GIVEN[random.nextInt(GIVEN.length)] + "_" + GIVEN[random.nextInt(GIVEN.length)];
    }

    /** A phone of a person: Android (ANDROID_ID, 16 hex) or iPhone (IDFV, a UUID), with the app's User-Agent for it. */
    Device phone() {
        String app = APP_VERSIONS[random.nextInt(APP_VERSIONS.length)];
        if (random.nextInt(10) < 6) {
            String ua =
                    "RedPacket/" + app + " (Linux; Android " + ANDROID_VERSIONS[random.nextInt(ANDROID_VERSIONS.length)]
                            + "; " + ANDROID_MODELS[random.nextInt(ANDROID_MODELS.length)] + " Build/"
                            + ANDROID_BUILDS[random.nextInt(ANDROID_BUILDS.length)] + ")";
            return new Device(androidId(), ua);
        }
        String ua = "RedPacket/" + app + " (iPhone; iOS " + IOS_VERSIONS[random.nextInt(IOS_VERSIONS.length)]
                + "; Scale/" + (random.nextInt(3) == 0 ? "2.00" : "3.00") + ") CFNetwork/"
                + CFNETWORK[random.nextInt(CFNETWORK.length)];
        return new Device(idfv(), ua);
    }

    /** A tablet a family shares. */
    Device tablet() {
        String app = APP_VERSIONS[random.nextInt(APP_VERSIONS.length)];
        if (random.nextBoolean()) {
            return new Device(
                    idfv(),
                    "RedPacket/" + app + " (iPad; iPadOS " + IOS_VERSIONS[random.nextInt(IOS_VERSIONS.length)]
                            + "; Scale/2.00) CFNetwork/" + CFNETWORK[random.nextInt(CFNETWORK.length)]);
        }
        return new Device(
                androidId(),
                "RedPacket/" + app + " (Linux; Android " + ANDROID_VERSIONS[random.nextInt(ANDROID_VERSIONS.length)]
                        + "; " + ANDROID_TABLETS[random.nextInt(ANDROID_TABLETS.length)] + " Build/"
                        + ANDROID_BUILDS[random.nextInt(ANDROID_BUILDS.length)] + ")");
    }

    /** A device id a script makes up for one account (ANDROID_ID format), sending the script's own User-Agent. */
    Device scriptedDevice(String userAgent) {
        return new Device(androidId(), userAgent);
    }

    /** The User-Agent one operator's script sends for all its accounts: a library default or a captured app string. */
    String scriptAgent() {
        return random.nextInt(3) == 0 ? phone().userAgent() : SCRIPT_AGENTS[random.nextInt(SCRIPT_AGENTS.length)];
    }

    /** A fresh client address of this kind of network. */
    String ip(Network network) {
        int[][] blocks = switch (network) {
            case RESIDENTIAL -> RESIDENTIAL;
            case CARRIER -> CARRIER;
            case CAMPUS -> CAMPUS;
            case HOSTING -> HOSTING;
        };
        while (true) {
            int[] b = blocks[random.nextInt(blocks.length)];
            String ip = b[0] + "." + (b[1] >= 0 ? b[1] : random.nextInt(256)) + "." + random.nextInt(256) + "."
                    + (1 + random.nextInt(254));
            if (ips.add(ip)) {
                return ip;
            }
        }
    }

    private String androidId() {
        while (true) {
            String id = String.format("%016x", random.nextLong());
            if (devices.add(id)) {
                return id;
            }
        }
    }

    private String idfv() {
        while (true) {
            String id = new java.util.UUID(
                            random.nextLong() & 0xffffffffffff0fffL | 0x4000L,
                            random.nextLong() & 0x3fffffffffffffffL | 0x8000000000000000L)
                    .toString()
                    .toUpperCase(java.util.Locale.ROOT);
            if (devices.add(id)) {
                return id;
            }
        }
    }

    private String alnum(int n) {
        String chars = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(chars.charAt(random.nextInt(chars.length())));
        }
        return sb.toString();
    }
}
