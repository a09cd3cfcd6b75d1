package io.mpsec.agent.doctor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One result of a doctor check.
 *
 * @param id stable identifier, e.g. {@code rp_filter} or {@code cc.lia} (scripts match on it)
 * @param status the verdict
 * @param title what was checked, in a few words
 * @param found what was found, with the values read from the kernel
 * @param action what to do about it, or {@code null} when nothing needs doing
 * @param values the raw values behind the verdict (names and values as read), for scripts
 */
public record Finding(String id, Status status, String title, String found, String action, Map<String, Object> values) {
    public Finding {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(found, "found");
        values = values == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Finding ok(String id, String title, String found, Map<String, Object> values) {
        return new Finding(id, Status.OK, title, found, null, values);
    }

    public static Finding of(String id, Status status, String title, String found, String action, Map<String, Object> values) {
        return new Finding(id, status, title, found, action, values);
    }
}
