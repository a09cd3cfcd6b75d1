package io.mpsec.bench;

import java.util.Locale;

/**
 * A minimal hand-written SVG builder for the report's charts: a plot area with axes, bars, dots,
 * polylines, reference lines and text. Coordinates are in data units, mapped to the plot area.
 */
final class Svg {
    static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

    private final StringBuilder b = new StringBuilder();
    private final int width;
    private final int height;
    private final int left = 70;
    private final int right = 20;
    private final int top = 40;
    private final int bottom = 60;
    private double x0;
    private double x1 = 1;
    private double y0;
    private double y1 = 1;

    Svg(int width, int height, String title) {
        this.width = width;
        this.height = height;
        b.append(f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">\n", width, height, width, height));
        b.append(f("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height));
        b.append(f("<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", left, esc(title)));
    }

    /** Sets the data ranges of the plot area. */
    Svg range(double xMin, double xMax, double yMin, double yMax) {
        x0 = xMin;
        x1 = xMax == xMin ? xMin + 1 : xMax;
        y0 = yMin;
        y1 = yMax == yMin ? yMin + 1 : yMax;
        return this;
    }

    double px(double x) {
        return left + (x - x0) / (x1 - x0) * (width - left - right);
    }

    double py(double y) {
        return height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom);
    }

    /** Axes with {@code ticks} labelled ticks on the y axis and the axis titles. */
    Svg axes(String xTitle, String yTitle, int ticks, boolean xTicks) {
        b.append(f("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", px(x0), py(y0), px(x1), py(y0)));
        b.append(f("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", px(x0), py(y0), px(x0), py(y1)));
        for (int i = 0; ticks > 0 && i <= ticks; i++) { // ticks 0: no grid (rows labelled by text)
            double y = y0 + (y1 - y0) * i / ticks;
            b.append(f("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", px(x0), py(y), px(x1), py(y)));
            b.append(f("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", px(x0) - 5, py(y) + 4, num(y)));
            if (xTicks) {
                double x = x0 + (x1 - x0) * i / ticks;
                b.append(f("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", px(x), py(y0) + 16, num(x)));
            }
        }
        b.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", (px(x0) + px(x1)) / 2, height - 12, esc(xTitle)));
        b.append(f("<text x=\"16\" y=\"%.1f\" transform=\"rotate(-90 16 %.1f)\" text-anchor=\"middle\">%s</text>\n",
                (py(y0) + py(y1)) / 2, (py(y0) + py(y1)) / 2, esc(yTitle)));
        return this;
    }

    Svg bar(double xCenter, double halfWidth, double value, String color, String label) {
        double top = py(Math.max(value, y0));
        b.append(f("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n", px(xCenter - halfWidth), top,
                px(xCenter + halfWidth) - px(xCenter - halfWidth), py(y0) - top, color));
        b.append(f("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", px(xCenter), top - 4, esc(label)));
        return this;
    }

    Svg dot(double x, double y, String color) {
        b.append(f("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\" fill-opacity=\"0.6\"/>\n", px(x), py(y), color));
        return this;
    }

    Svg hline(double y, String color, String label) {
        b.append(f("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"6 4\"/>\n", px(x0), py(y),
                px(x1), py(y), color));
        b.append(f("<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s</text>\n", px(x0) + 4, py(y) + 14, color, esc(label)));
        return this;
    }

    /** Text under the x axis at data position {@code x} (category names). */
    Svg labelBelow(double x, String text) {
        b.append(f("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", px(x), py(y0) + 16, esc(text)));
        return this;
    }

    Svg vline(double x, String color, String label) {
        b.append(f("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"6 4\"/>\n", px(x), py(y0),
                px(x), py(y1), color));
        b.append(f("<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s</text>\n", px(x) + 3, py(y1) + 12, color, esc(label)));
        return this;
    }

    Svg polyline(double[] xs, double[] ys, String color) {
        StringBuilder pts = new StringBuilder();
        for (int i = 0; i < xs.length; i++) {
            pts.append(f("%.1f,%.1f ", px(xs[i]), py(Math.min(Math.max(ys[i], y0), y1))));
        }
        b.append(f("<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>\n", pts.toString().strip(), color));
        return this;
    }

    /** Text at a data position (x) and a pixel offset from the plot's bottom (labels under bars). */
    Svg label(double x, double y, String text, String anchor) {
        b.append(f("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n", px(x), py(y), anchor, esc(text)));
        return this;
    }

    Svg legend(int row, String color, String text) {
        double x = width - right - 300;
        double y = top + 4 + row * 16;
        b.append(f("<rect x=\"%.1f\" y=\"%.1f\" width=\"300\" height=\"16\" fill=\"white\" fill-opacity=\"0.85\"/>\n", x - 4, y - 4));
        b.append(f("<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"8\" fill=\"%s\"/>\n", x, y, color));
        b.append(f("<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + 16, y + 8, esc(text)));
        return this;
    }

    @Override
    public String toString() {
        return b + "</svg>\n";
    }

    static String num(double v) {
        return Math.abs(v) >= 100 || v == Math.rint(v) ? f("%.0f", v) : f("%.2f", v);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
