package io.mpsec.ipsec.inspect;

/**
 * The nf_tables netlink constants {@link GetCounterObjects} uses.
 *
 * <p>Sources (Linux 6.1 uapi headers in /usr/include, checked against 6.18; unchanged since 4.10 when
 * stateful objects appeared): include/uapi/linux/netlink.h ({@code NETLINK_NETFILTER}),
 * include/uapi/linux/netfilter/nfnetlink.h ({@code struct nfgenmsg}, {@code NFNETLINK_V0},
 * {@code NFNL_SUBSYS_NFTABLES}), include/uapi/linux/netfilter.h ({@code NFPROTO_INET}),
 * include/uapi/linux/netfilter/nf_tables.h (message types, object and counter attributes).
 */
final class NfTablesUapi {
    /** netlink.h: {@code NETLINK_NETFILTER}. */
    static final int NETLINK_NETFILTER = 12;
    /** nfnetlink.h: {@code NFNL_SUBSYS_NFTABLES}; the message type is {@code subsys << 8 | msg}. */
    static final int NFNL_SUBSYS_NFTABLES = 10;
    /** nfnetlink.h: {@code NFNETLINK_V0}. */
    static final int NFNETLINK_V0 = 0;
    /** nfnetlink.h: {@code sizeof(struct nfgenmsg)}: u8 nfgen_family, u8 version, __be16 res_id. */
    static final int NFGENMSG_LEN = 4;
    /** netfilter.h: {@code NFPROTO_INET}. */
    static final int NFPROTO_INET = 1;

    /** nf_tables.h enum nf_tables_msg_types: {@code NFT_MSG_NEWOBJ} (the type of each dumped object). */
    static final int NFT_MSG_NEWOBJ = 18;
    /** nf_tables.h enum nf_tables_msg_types: {@code NFT_MSG_GETOBJ}. */
    static final int NFT_MSG_GETOBJ = 19;

    /** nf_tables.h enum nft_object_attributes: {@code NFTA_OBJ_TABLE} (NLA_STRING). */
    static final int NFTA_OBJ_TABLE = 1;
    /** {@code NFTA_OBJ_NAME} (NLA_STRING). */
    static final int NFTA_OBJ_NAME = 2;
    /** {@code NFTA_OBJ_TYPE} (NLA_U32, big endian). */
    static final int NFTA_OBJ_TYPE = 3;
    /** {@code NFTA_OBJ_DATA} (NLA_NESTED). */
    static final int NFTA_OBJ_DATA = 4;

    /** nf_tables.h: {@code NFT_OBJECT_COUNTER}. */
    static final int NFT_OBJECT_COUNTER = 1;

    /** nf_tables.h enum nft_counter_attributes: {@code NFTA_COUNTER_BYTES} (NLA_U64, big endian). */
    static final int NFTA_COUNTER_BYTES = 1;
    /** {@code NFTA_COUNTER_PACKETS} (NLA_U64, big endian). */
    static final int NFTA_COUNTER_PACKETS = 2;

    private NfTablesUapi() {
    }

    /** The nfnetlink message type of nf_tables message {@code msg}. */
    static int type(int msg) {
        return NFNL_SUBSYS_NFTABLES << 8 | msg;
    }
}
