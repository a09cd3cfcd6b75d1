package io.mpsec.agent.status;

/**
 * An extension point of {@code mpsec status}: a named section the running agent adds to its status,
 * for data that has no meters (yet), such as the MPTCP connections it manages. Register one with
 * {@code StatusCollector.register("connections", source)}; {@code mpsec status} prints
 * {@code connections} specially (one line per entry when it is a list of objects with the keys
 * {@code local}, {@code remote}, {@code subflows}, {@code state}) and any other section as JSON.
 *
 * <p>The snapshot must be cheap (it is taken on every status request), thread-safe and serializable
 * by Jackson (records, maps, lists, strings, numbers), and must never carry key material.
 */
@FunctionalInterface
public interface StatusSource {
    /** The current state of this section. */
    Object snapshot() throws Exception;
}
