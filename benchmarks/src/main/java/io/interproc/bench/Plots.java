package io.interproc.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import javax.imageio.ImageIO;

/**
 * The report's PNG plots, drawn with the JDK's own 2D graphics (headless): horizontal bars for
 * throughput, and latency percentile curves (latency on a log scale against percentiles on a
 * "nines" scale: 50, 90, 99, 99.9, 99.99) with one line per implementation.
 */
final class Plots {
    static final int WIDTH = 900;
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Plots() {
    }

    /** Horizontal bars, one per label, longest value the full width; interproc's bars are the first color. */
    static void bars(Path file, String title, String unit, List<String> labels, List<Double> values) throws IOException {
        int rowHeight = 28;
        int height = 70 + rowHeight * labels.size();
        BufferedImage image = canvas(WIDTH, height);
        Graphics2D g = graphics(image);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 10, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics metrics = g.getFontMetrics();
        int labelWidth = labels.stream().mapToInt(metrics::stringWidth).max().orElse(0) + 20;
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        int barSpace = WIDTH - labelWidth - 130;
        for (int i = 0; i < labels.size(); i++) {
            int y = 45 + i * rowHeight;
            g.setColor(Color.BLACK);
            g.drawString(labels.get(i), 10, y + 15);
            int w = max <= 0 ? 0 : (int) Math.round(barSpace * values.get(i) / max);
            g.setColor(labels.get(i).startsWith("interproc") ? COLORS[0] : COLORS[7]);
            g.fillRect(labelWidth, y, Math.max(w, 1), rowHeight - 8);
            g.setColor(Color.BLACK);
            g.drawString(human(values.get(i)) + " " + unit, labelWidth + w + 6, y + 15);
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    /**
     * Latency percentile curves.
     *
     * @param series per implementation, percentile (0..1) to latency (ns); points at 0 or 1 are left out
     */
    static void percentiles(Path file, String title, Map<String, SortedMap<Double, Double>> series) throws IOException {
        int height = 520;
        int left = 80;
        int right = WIDTH - 170;
        int top = 40;
        int bottom = height - 50;
        double maxNines = 4;
        double minLog = Double.MAX_VALUE;
        double maxLog = -Double.MAX_VALUE;
        for (SortedMap<Double, Double> points : series.values()) {
            for (Map.Entry<Double, Double> p : points.entrySet()) {
                if (usable(p)) {
                    minLog = Math.min(minLog, Math.log10(p.getValue()));
                    maxLog = Math.max(maxLog, Math.log10(p.getValue()));
                }
            }
        }
        if (minLog > maxLog) {
            minLog = 0;
            maxLog = 1;
        }
        minLog = Math.floor(minLog);
        maxLog = Math.max(Math.ceil(maxLog), minLog + 1);
        BufferedImage image = canvas(WIDTH, height);
        Graphics2D g = graphics(image);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 10, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.LIGHT_GRAY);
        for (double decade = minLog; decade <= maxLog; decade++) {
            int y = (int) (bottom - (decade - minLog) / (maxLog - minLog) * (bottom - top));
            g.setColor(Color.LIGHT_GRAY);
            g.drawLine(left, y, right, y);
            g.setColor(Color.BLACK);
            g.drawString(duration(Math.pow(10, decade)), 8, y + 4);
        }
        String[] ticks = {"50%", "90%", "99%", "99.9%", "99.99%"};
        double[] nines = {Math.log10(2), 1, 2, 3, 4};
        for (int i = 0; i < ticks.length; i++) {
            int x = (int) (left + nines[i] / maxNines * (right - left));
            g.setColor(Color.LIGHT_GRAY);
            g.drawLine(x, top, x, bottom);
            g.setColor(Color.BLACK);
            g.drawString(ticks[i], x - 15, bottom + 18);
        }
        g.drawString("percentile", (left + right) / 2 - 30, bottom + 38);
        int color = 0;
        g.setStroke(new BasicStroke(2f));
        for (Map.Entry<String, SortedMap<Double, Double>> s : series.entrySet()) {
            g.setColor(COLORS[color % COLORS.length]);
            int lastX = -1;
            int lastY = -1;
            for (Map.Entry<Double, Double> p : s.getValue().entrySet()) {
                if (!usable(p) || p.getKey() < 0.5) {
                    continue;
                }
                double n = Math.min(maxNines, -Math.log10(1 - p.getKey()));
                int x = (int) (left + n / maxNines * (right - left));
                int y = (int) (bottom - (Math.log10(p.getValue()) - minLog) / (maxLog - minLog) * (bottom - top));
                marker(g, color, x, y);
                if (lastX >= 0) {
                    g.drawLine(lastX, lastY, x, y);
                }
                lastX = x;
                lastY = y;
            }
            marker(g, color, right + 16, top + 12 + 18 * color);
            g.drawString(s.getKey(), right + 26, top + 16 + 18 * color);
            color++;
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    /**
     * A point of series {@code index}: a circle, square, triangle, diamond or cross (then round again), so
     * that curves stay apart where colours are hard to tell or the plot is printed in grey.
     */
    static void marker(Graphics2D g, int index, int x, int y) {
        switch (index % 5) {
            case 0 -> g.fillOval(x - 4, y - 4, 8, 8);
            case 1 -> g.fillRect(x - 4, y - 4, 8, 8);
            case 2 -> g.fillPolygon(new int[] {x, x - 5, x + 5}, new int[] {y - 5, y + 4, y + 4}, 3);
            case 3 -> g.fillPolygon(new int[] {x, x - 5, x, x + 5}, new int[] {y - 5, y, y + 5, y}, 4);
            default -> {
                g.drawLine(x - 4, y - 4, x + 4, y + 4);
                g.drawLine(x - 4, y + 4, x + 4, y - 4);
            }
        }
    }

    private static boolean usable(Map.Entry<Double, Double> p) {
        return p.getKey() > 0 && p.getKey() < 1 && p.getValue() > 0;
    }

    private static BufferedImage canvas(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return image;
    }

    private static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        return g;
    }

    /** @return a decade of nanoseconds in its own unit: 100 ns, 1 µs, 10 ms, never "1.00 M ns" */
    static String duration(double nanos) {
        String[] units = {"ns", "µs", "ms", "s"};
        int unit = 0;
        while (nanos >= 1000 && unit < units.length - 1) {
            nanos /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.0f %s", nanos, units[unit]);
    }

    static String human(double v) {
        if (Math.abs(v) >= 1e9) {
            return String.format(Locale.ROOT, "%.2f G", v / 1e9);
        }
        if (Math.abs(v) >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", v / 1e6);
        }
        if (Math.abs(v) >= 1e4) {
            return String.format(Locale.ROOT, "%.1f k", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }
}
