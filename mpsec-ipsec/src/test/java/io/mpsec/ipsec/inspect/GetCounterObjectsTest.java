package io.mpsec.ipsec.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** NFT_MSG_GETOBJ against bytes captured from nft and the kernel (golden/nft/getobj-counters.txt). */
class GetCounterObjectsTest {
    static byte[] section(String name) throws IOException {
        String text;
        try (InputStream in = GetCounterObjectsTest.class.getResourceAsStream("/golden/nft/getobj-counters.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        StringBuilder hex = new StringBuilder();
        boolean inside = false;
        for (String l : text.split("\n")) {
            if (l.startsWith("#")) {
                continue;
            }
            if (l.matches("[a-z]+")) {
                inside = l.equals(name);
                continue;
            }
            if (inside) {
                hex.append(l.replace(" ", ""));
            }
        }
        return HexFormat.of().parseHex(hex.toString());
    }

    @Test
    void theRequestIsNftsDumpWithTheCounterTypeFilterAdded() throws Exception {
        byte[] nft = section("request");
        NetlinkMessage ours = GetCounterObjects.request("mpsec_stats").withFlags(Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP);
        byte[] enc = ours.encode();
        // nft's message, with NFTA_OBJ_TYPE (8 bytes: len 8, type 3, be32 1) appended and the length grown by 8
        byte[] expected = Arrays.copyOf(nft, nft.length + 8);
        expected[0] = (byte) (nft.length + 8);
        System.arraycopy(HexFormat.of().parseHex("0800030000000001"), 0, expected, nft.length, 8);
        assertThat(HexFormat.of().formatHex(enc)).isEqualTo(HexFormat.of().formatHex(expected));
        assertThat(ours.type()).as("NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETOBJ").isEqualTo(0x0a13);
    }

    @Test
    void decodesTheKernelsReplyIncludingBig64BitValues() throws Exception {
        List<NetlinkMessage> reply = NetlinkMessage.decodeAll(section("reply"));
        assertThat(reply).hasSize(2);
        Map<String, TrafficCount> c = GetCounterObjects.decode(reply);
        assertThat(c).containsOnly(Map.entry("tcp_in_c1", new TrafficCount(5, 300)),
                Map.entry("esp_out", new TrafficCount(4294967297L, 1099511627776L)));
    }

    @Test
    void skipsOtherMessagesAndObjectTypesAndRejectsBadLengths() throws Exception {
        List<NetlinkMessage> reply = new ArrayList<>(NetlinkMessage.decodeAll(section("reply")));
        byte[] p = reply.get(0).payload();
        // NFTA_OBJ_TYPE value at payload offset 0x38 - 16 = 40..43: make it a quota (NFT_OBJECT_QUOTA 2)
        byte[] quota = p.clone();
        quota[43] = 2;
        List<NetlinkMessage> mixed = List.of(new NetlinkMessage(0x0a00, 0, 0, 0, p), // NFT_MSG_NEWTABLE: skipped
                new NetlinkMessage(0x0a12, 2, 0, 0, quota), reply.get(1));
        assertThat(GetCounterObjects.decode(mixed)).containsOnlyKeys("esp_out");

        byte[] shortPackets = p.clone();
        shortPackets[0x60 - 16] = 0x0b; // NFTA_COUNTER_PACKETS nla_len 12 -> 11 (7 value bytes)
        assertThatThrownBy(() -> GetCounterObjects.decode(List.of(new NetlinkMessage(0x0a12, 2, 0, 0, shortPackets))))
                .isInstanceOf(NetlinkFormatException.class);
        assertThatThrownBy(() -> GetCounterObjects.decode(List.of(new NetlinkMessage(0x0a12, 2, 0, 0, new byte[3]))))
                .isInstanceOf(NetlinkFormatException.class).hasMessageContaining("nfgenmsg");
    }
}
