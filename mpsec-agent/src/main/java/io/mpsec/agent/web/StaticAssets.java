package io.mpsec.agent.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The page's files, all from the jar (the page needs no internet access): {@code /} (index.html),
 * {@code /assets/NAME} from {@code io/mpsec/agent/web/} and {@code /vendor/uplot/VERSION/FILE} from the
 * uPlot WebJar. A request path is never joined to a directory: it must match one of these patterns
 * (lower-case names, no dots but the extension's, no slashes), so no traversal can reach another file.
 * The page and its own assets are revalidated ({@code no-cache} with an ETag); the versioned uPlot
 * files are cached for a year.
 */
final class StaticAssets {
    /** The uPlot WebJar version (org.webjars.npm:uplot, a dependency of mpsec-agent). */
    static final String UPLOT_VERSION = "1.6.30";
    static final String UPLOT_DIR = "META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/";
    private static final String OWN_DIR = "io/mpsec/agent/web/";
    private static final Pattern OWN = Pattern.compile("/assets/([a-z0-9][a-z0-9-]{0,40}\\.(?:js|css|svg))");
    private static final Map<String, String> UPLOT_FILES = Map.of("uPlot.iife.min.js", "uPlot.iife.min.js",
            "uPlot.min.css", "uPlot.min.css");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml");
    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

    /** A file to serve. */
    record Asset(String resource, byte[] body, String contentType, String cacheControl, String etag) {
    }

    /** The asset for a decoded request path, empty when there is none. */
    Optional<Asset> resolve(String path) {
        String resource = resourceFor(path);
        if (resource == null) {
            return Optional.empty();
        }
        return cache.computeIfAbsent(resource, StaticAssets::load);
    }

    /** The classpath resource a request path maps to, {@code null} for none. */
    static String resourceFor(String path) {
        if (path == null) {
            return null;
        }
        if (path.equals("/") || path.equals("/index.html")) {
            return OWN_DIR + "index.html";
        }
        Matcher m = OWN.matcher(path);
        if (m.matches()) {
            return OWN_DIR + m.group(1);
        }
        String prefix = "/vendor/uplot/" + UPLOT_VERSION + "/";
        if (path.startsWith(prefix) && UPLOT_FILES.containsKey(path.substring(prefix.length()))) {
            return UPLOT_DIR + UPLOT_FILES.get(path.substring(prefix.length()));
        }
        return null;
    }

    private static Optional<Asset> load(String resource) {
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] body = in.readAllBytes();
            String ext = resource.substring(resource.lastIndexOf('.') + 1);
            String cache = resource.startsWith(UPLOT_DIR) ? "public, max-age=31536000, immutable" : "no-cache";
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body), 0, 16) + "\"";
            return Optional.of(new Asset(resource, body, TYPES.getOrDefault(ext, "application/octet-stream"), cache, etag));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from the agent's jar", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
