package io.mpsec.agent.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpsec.testbed.Testbed;

/** {@code ip -j -s link show} in a testbed host: the independent witness for the page's counters. */
final class IpLink {
    private static final ObjectMapper JSON = new ObjectMapper();

    private IpLink() {
    }

    static JsonNode read(Testbed.Host h) throws Exception {
        return JSON.readTree(h.execOk("ip", "-j", "-s", "link", "show").stdout());
    }

    /** {@code stats64.<dir>.<what>} of interface {@code iface}. */
    static long counter(JsonNode links, String iface, String dir, String what) {
        for (JsonNode l : links) {
            if (iface.equals(l.path("ifname").asText())) {
                return l.path("stats64").path(dir).path(what).asLong();
            }
        }
        throw new AssertionError("no interface " + iface + " in ip -j -s link: " + links);
    }
}
