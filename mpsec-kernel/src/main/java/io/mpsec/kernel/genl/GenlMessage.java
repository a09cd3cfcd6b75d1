package io.mpsec.kernel.genl;

import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;

/**
 * A generic netlink payload: {@code struct genlmsghdr { __u8 cmd; __u8 version; __u16 reserved; }}
 * followed by attributes (include/uapi/linux/genetlink.h).
 *
 * @param cmd the family-specific command
 * @param version the family's interface version
 * @param attributes the encoded attributes after the header
 */
public record GenlMessage(int cmd, int version, byte[] attributes) {
    /** A writer that starts with the genl header; append attributes and call {@link AttributeWriter#toByteArray()}. */
    public static AttributeWriter writer(int cmd, int version) {
        return new AttributeWriter().raw(new byte[] {(byte) cmd, (byte) version, 0, 0});
    }

    /** Builds a netlink request for {@code familyId} from a writer made by {@link #writer}. */
    public static NetlinkMessage request(int familyId, int flags, AttributeWriter w) {
        return NetlinkMessage.request(familyId, flags, w.toByteArray());
    }

    /** Splits a netlink message's payload into the genl header and its attributes. */
    public static GenlMessage decode(NetlinkMessage m) throws NetlinkFormatException {
        byte[] p = m.payload();
        if (p.length < Genl.GENL_HDRLEN) {
            throw new NetlinkFormatException("generic netlink payload of " + p.length + " bytes has no genlmsghdr");
        }
        byte[] attrs = java.util.Arrays.copyOfRange(p, Genl.GENL_HDRLEN, p.length);
        return new GenlMessage(p[0] & 0xff, p[1] & 0xff, attrs);
    }

    /** The attributes after the header, parsed. */
    public AttributeReader reader(String context) throws NetlinkFormatException {
        return AttributeReader.parse(attributes, context);
    }
}
