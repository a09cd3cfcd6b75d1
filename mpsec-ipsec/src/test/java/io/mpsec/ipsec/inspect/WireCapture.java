package io.mpsec.ipsec.inspect;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A capture from test resources {@code wire/NAME.txt} (made by capture.sh and annotate.sh there):
 * the link type, every frame, and what tcpdump itself read in the same pcap.
 *
 * @param name the scenario
 * @param linkType the pcap LINKTYPE
 * @param frames the frames in capture order
 * @param tcpdumpFrames frames tcpdump listed
 * @param tcpdumpTcp TCP segments tcpdump decoded ("Flags [")
 * @param tcpdumpEsp ESP packets tcpdump decoded ("ESP(spi=")
 */
record WireCapture(String name, int linkType, List<byte[]> frames, int tcpdumpFrames, int tcpdumpTcp, int tcpdumpEsp) {
    static final List<String> ALL = List.of("vlan-8021q", "vlan-qinq", "vlan-cooked-any", "ipv6-frag", "ipv6-exthdr-tcp",
            "ipv6-mld-hbh", "cooked-any-sll", "cooked-any-sll2", "ah-tcp", "esp-tcp");
    static final byte[] MARKER = "MPSEC-PLAINTEXT-MARKER-7f3a".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern LINKTYPE = Pattern.compile("^# linktype: (\\d+)", Pattern.MULTILINE);
    private static final Pattern TCPDUMP = Pattern.compile(
            "^# tcpdump -nr \\S+: (\\d+) frames, (\\d+) TCP segments, (\\d+) ESP packets", Pattern.MULTILINE);

    static WireCapture load(String name) {
        String text;
        try (InputStream in = WireCapture.class.getResourceAsStream("/wire/" + name + ".txt")) {
            if (in == null) {
                throw new IOException("missing capture wire/" + name + ".txt");
            }
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher l = LINKTYPE.matcher(text);
        Matcher t = TCPDUMP.matcher(text);
        if (!l.find() || !t.find()) {
            throw new IllegalStateException("wire/" + name + ".txt has no linktype or tcpdump line");
        }
        List<byte[]> frames = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("frame: ")) {
                frames.add(HexFormat.of().parseHex(line.substring(7).trim()));
            }
        }
        return new WireCapture(name, Integer.parseInt(l.group(1)), frames, Integer.parseInt(t.group(1)),
                Integer.parseInt(t.group(2)), Integer.parseInt(t.group(3)));
    }

    PacketCounter.LinkType link() {
        return PacketCounter.LinkType.fromDlt(linkType);
    }

    WireReport count() {
        PacketCounter c = new PacketCounter(MARKER, link());
        frames.forEach(c::inspect);
        return c.report();
    }
}
