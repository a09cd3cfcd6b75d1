package io.mpsec.agent.web;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/** Reads the dashboard's numbers from the DOM (data-value attributes, one script call, so nothing goes stale). */
final class DashboardPage {
    private static final String READ = "const rows = {};"
            + "for (const tr of document.querySelectorAll('#paths tr[data-iface]')) {"
            + "  const o = {netns: tr.dataset.netns, status: tr.dataset.status, statusAt: tr.dataset.statusAt};"
            + "  for (const td of tr.querySelectorAll('[data-field]')) o[td.dataset.field] = td.dataset.value;"
            + "  rows[tr.dataset.netns + '/' + tr.dataset.iface] = o; }"
            + "const legend = {};"
            + "for (const li of document.querySelectorAll('.ns-chart .legend li')) legend[li.closest('.ns-chart').dataset.netns + '/' + li.dataset.iface] = {value: li.dataset.value, status: li.dataset.status || '', text: li.textContent};"
            + "const modes = {};"
            + "for (const b of document.querySelectorAll('.ns-chart [data-field=mode]')) modes[b.closest('.ns-chart').dataset.netns] = {mode: b.dataset.mode, active: b.dataset.value, text: b.textContent};"
            + "return {time: Number(document.body.dataset.snapshotTime || 0), stream: document.getElementById('stream-state').dataset.state,"
            + " rows: rows, legend: legend, modes: modes, canvases: document.querySelectorAll('.ns-chart canvas').length,"
            + " events: Array.from(document.querySelectorAll('#events li')).map(li => li.dataset.kind + ' ' + li.dataset.subject),"
            + " connections: document.querySelectorAll('#connections tr.connection').length,"
            + " kernel: (document.getElementById('sys-kernel') || {}).textContent || ''};";

    /** What the page shows at one instant. */
    record View(long time, String stream, Map<String, Map<String, Object>> rows, Map<String, Map<String, Object>> legend,
            Map<String, Map<String, Object>> modes, long canvases, List<String> events, long connections, String kernel) {
        Map<String, Object> row(String netns, String iface) {
            Map<String, Object> r = rows.get(netns + "/" + iface);
            if (r == null) {
                throw new AssertionError("no row for " + netns + "/" + iface + " in " + rows.keySet());
            }
            return r;
        }

        String status(String netns, String iface) {
            return (String) row(netns, iface).get("status");
        }

        /** When the page first showed the row's current status (the browser's clock, epoch ms; same machine). */
        long statusAt(String netns, String iface) {
            return Long.parseLong((String) row(netns, iface).get("statusAt"));
        }

        /** A numeric field of an interface row (the data-value of its cell). */
        double number(String netns, String iface, String field) {
            return Double.parseDouble((String) row(netns, iface).get(field));
        }

        /** rx + tx bytes per second. */
        double rate(String netns, String iface) {
            return number(netns, iface, "rxRate") + number(netns, iface, "txRate");
        }
    }

    private final WebDriver driver;

    DashboardPage(WebDriver driver) {
        this.driver = driver;
    }

    @SuppressWarnings("unchecked")
    View read() {
        Map<String, Object> m = (Map<String, Object>) ((JavascriptExecutor) driver).executeScript(READ);
        return new View(((Number) m.get("time")).longValue(), (String) m.get("stream"),
                (Map<String, Map<String, Object>>) m.get("rows"), (Map<String, Map<String, Object>>) m.get("legend"),
                (Map<String, Map<String, Object>>) m.get("modes"), ((Number) m.get("canvases")).longValue(),
                (List<String>) m.get("events"), ((Number) m.get("connections")).longValue(), (String) m.get("kernel"));
    }

    /** Polls every 50 ms until {@code ok} holds; returns the view and fails after {@code millis}. */
    View await(String what, long millis, Predicate<View> ok) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        View v = null;
        while (System.currentTimeMillis() < end) {
            try {
                v = read();
                if (ok.test(v)) {
                    return v;
                }
            } catch (AssertionError | RuntimeException notYet) {
                // rows not there yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("page did not show " + what + " within " + millis + " ms; last view: " + v);
    }
}
