package io.mpsec.agent.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Static path resolution: only the page, its own assets and two uPlot files; nothing else, whatever the path says. */
class StaticAssetsTest {
    private final StaticAssets assets = new StaticAssets();

    @Test
    void thePageAndItsAssetsComeFromTheJarWithTheirTypesAndCaching() {
        StaticAssets.Asset index = assets.resolve("/").orElseThrow();
        assertThat(index.contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(index.cacheControl()).isEqualTo("no-cache");
        assertThat(index.etag()).matches("\"[0-9a-f]{32}\"");
        assertThat(assets.resolve("/index.html").orElseThrow().body()).isEqualTo(index.body());
        assertThat(assets.resolve("/assets/app.js").orElseThrow().contentType()).isEqualTo("text/javascript; charset=utf-8");
        assertThat(assets.resolve("/assets/app.css").orElseThrow().contentType()).isEqualTo("text/css; charset=utf-8");
        StaticAssets.Asset uplot = assets.resolve("/vendor/uplot/" + StaticAssets.UPLOT_VERSION + "/uPlot.iife.min.js").orElseThrow();
        assertThat(uplot.cacheControl()).isEqualTo("public, max-age=31536000, immutable");
        assertThat(new String(uplot.body(), StandardCharsets.UTF_8)).contains("uPlot");
        assertThat(assets.resolve("/vendor/uplot/" + StaticAssets.UPLOT_VERSION + "/uPlot.min.css").orElseThrow().contentType())
                .startsWith("text/css");
    }

    /** Every script and stylesheet the page loads is served here: the page needs no internet access. */
    @Test
    void thePageLoadsOnlyWhatThisServerHas() {
        String html = new String(assets.resolve("/").orElseThrow().body(), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(html);
        int refs = 0;
        while (m.find()) {
            String url = m.group(1);
            if (url.startsWith("#") || url.equals("data:,")) {
                continue;
            }
            refs++;
            assertThat(url).as("reference in index.html").startsWith("/");
            assertThat(assets.resolve(url)).as("%s is served", url).isPresent();
        }
        assertThat(refs).isEqualTo(4);
        assertThat(html).doesNotContain("http://", "https://");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/assets/../index.html", "/assets/..%2findex.html", "/assets/app.js/..", "/assets/App.js",
        "/assets/.app.js", "/assets/app.js.map", "/assets/sub/app.js", "/assets/app.class", "/assets/", "/assets/app\\.js",
        "/vendor/uplot/1.6.30/../../../../io/mpsec/agent/web/app.js", "/vendor/uplot/1.6.30/uPlot.esm.js",
        "/vendor/uplot/1.6.29/uPlot.iife.min.js", "/vendor/uplot/1.6.30/", "/META-INF/MANIFEST.MF",
        "/io/mpsec/agent/web/index.html", "//etc/passwd", "/etc/passwd", "/assets/app.js\u0000", "", "index.html",
        "/index.html/", "/assets/Dashboard.class"})
    void anythingElseIsNotFound(String path) {
        assertThat(StaticAssets.resourceFor(path)).isNull();
        assertThat(assets.resolve(path)).isEmpty();
    }

    @Test
    void anAllowedNameWithoutAFileIsNotFound() {
        assertThat(StaticAssets.resourceFor("/assets/missing.js")).isNotNull();
        assertThat(assets.resolve("/assets/missing.js")).isEmpty();
    }
}
