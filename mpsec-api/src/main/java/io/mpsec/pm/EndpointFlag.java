package io.mpsec.pm;

/**
 * What the in-kernel path manager does with an endpoint (an address of this host).
 *
 * <ul>
 *   <li>{@link #SIGNAL}: announce the address to the peer (ADD_ADDR), so the peer can open subflows to it.</li>
 *   <li>{@link #SUBFLOW}: open a subflow from this address to the peer.</li>
 *   <li>{@link #BACKUP}: subflows using this address are backup paths (MP_PRIO): used only when no
 *       other subflow is available.</li>
 *   <li>{@link #FULLMESH}: with SUBFLOW, open a subflow from this address to every address the peer announced.</li>
 *   <li>{@link #IMPLICIT}: set by the kernel for endpoints it created itself; cannot be requested.</li>
 *   <li>{@link #LAMINAR}: Linux 6.18+; with SUBFLOW, create subflows to announced addresses
 *       using this endpoint, following the routes. Rejected on kernels that lack it.</li>
 * </ul>
 */
public enum EndpointFlag {
    SIGNAL,
    SUBFLOW,
    BACKUP,
    FULLMESH,
    IMPLICIT,
    LAMINAR
}
