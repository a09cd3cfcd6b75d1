package io.mpsec.ipsec.inspect;

import io.mpsec.kernel.netlink.Attribute;
import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code NFT_MSG_GETOBJ} as a dump of the named counters of one table: one request, one multipart
 * reply with one {@code NFT_MSG_NEWOBJ} per counter, nothing else (the kernel filters by table and
 * object type: net/netfilter/nf_tables_api.c, {@code nf_tables_dump_obj}). What
 * {@code nft list counters table inet NAME} reads, without a process.
 *
 * <pre>
 * struct nfgenmsg { __u8 nfgen_family; __u8 version; __be16 res_id; };   // 4 bytes
 * request:  nfgenmsg{NFPROTO_INET, NFNETLINK_V0, 0}
 *           NFTA_OBJ_TABLE "mpsec_stats", NFTA_OBJ_TYPE be32 NFT_OBJECT_COUNTER     NLM_F_DUMP
 * reply:    nfgenmsg, NFTA_OBJ_TABLE, NFTA_OBJ_NAME, NFTA_OBJ_TYPE,
 *           NFTA_OBJ_DATA { NFTA_COUNTER_BYTES be64, NFTA_COUNTER_PACKETS be64 }, ...
 * </pre>
 */
final class GetCounterObjects {
    private GetCounterObjects() {
    }

    /** The dump request for the counters of {@code table} (inet family); the connection adds NLM_F_DUMP. */
    static NetlinkMessage request(String table) {
        AttributeWriter w = new AttributeWriter();
        w.raw(new byte[] {(byte) NfTablesUapi.NFPROTO_INET, (byte) NfTablesUapi.NFNETLINK_V0, 0, 0});
        w.string(NfTablesUapi.NFTA_OBJ_TABLE, table);
        w.u32Be(NfTablesUapi.NFTA_OBJ_TYPE, NfTablesUapi.NFT_OBJECT_COUNTER);
        return NetlinkMessage.request(NfTablesUapi.type(NfTablesUapi.NFT_MSG_GETOBJ), 0, w.toByteArray());
    }

    /** Runs the dump on {@code nl} (a NETLINK_NETFILTER connection): counter name to its values. */
    static Map<String, TrafficCount> read(NetlinkConnection nl, String table) throws IOException {
        return decode(nl.dump("NFT_MSG_GETOBJ counters of " + table, request(table)).messages());
    }

    /** The counters in the dump's messages, by name; messages of another type or object are skipped. */
    static Map<String, TrafficCount> decode(List<NetlinkMessage> replies) throws NetlinkFormatException {
        Map<String, TrafficCount> out = new HashMap<>();
        for (NetlinkMessage m : replies) {
            if (m.type() != NfTablesUapi.type(NfTablesUapi.NFT_MSG_NEWOBJ)) {
                continue;
            }
            byte[] p = m.payload();
            if (p.length < NfTablesUapi.NFGENMSG_LEN) {
                throw new NetlinkFormatException("NFT_MSG_NEWOBJ of " + p.length + " bytes is shorter than struct nfgenmsg");
            }
            AttributeReader a = AttributeReader.parse(p, NfTablesUapi.NFGENMSG_LEN, p.length - NfTablesUapi.NFGENMSG_LEN,
                    "NFT_MSG_NEWOBJ");
            if (!a.has(NfTablesUapi.NFTA_OBJ_NAME) || !a.has(NfTablesUapi.NFTA_OBJ_DATA)
                    || a.u32Be(NfTablesUapi.NFTA_OBJ_TYPE) != NfTablesUapi.NFT_OBJECT_COUNTER) {
                continue;
            }
            AttributeReader d = a.nested(NfTablesUapi.NFTA_OBJ_DATA);
            out.put(a.string(NfTablesUapi.NFTA_OBJ_NAME),
                    new TrafficCount(be64(d, NfTablesUapi.NFTA_COUNTER_PACKETS), be64(d, NfTablesUapi.NFTA_COUNTER_BYTES)));
        }
        return out;
    }

    private static long be64(AttributeReader r, int type) throws NetlinkFormatException {
        Attribute a = r.find(type);
        if (a == null) {
            return 0;
        }
        byte[] v = a.value();
        if (v.length != 8) {
            throw new NetlinkFormatException("nf_tables counter attribute " + type + " has " + v.length + " bytes, not 8");
        }
        long x = 0;
        for (byte b : v) {
            x = x << 8 | (b & 0xff);
        }
        return x;
    }
}
