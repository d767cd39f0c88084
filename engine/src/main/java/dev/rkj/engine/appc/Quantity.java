package dev.rkj.engine.appc;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A resource quantity (ace.md "Resource Isolators"), e.g. {@code 500m}, {@code 1}, {@code 1G},
 * {@code 128Mi}, {@code 1.5Gi}, {@code 1e3}: a non-negative decimal number in the resource's base unit
 * (bytes, cores...) with an optional metric ({@code m k K M G T P E}), binary
 * ({@code Ki Mi Gi Ti Pi Ei}) or exponent suffix.
 *
 * <p>The value is held exactly; {@link #toLongExact()} and {@link #toMillisExact()} give integer
 * base units and milli-units without rounding. Equality and ordering compare values ({@code 1G}
 * equals {@code 1000M}); {@link #toString()} gives the text as written.
 */
public final class Quantity implements Comparable<Quantity> {
    private static final Pattern SYNTAX = Pattern.compile(
            "([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[mkKMGTPE]|[eE][+-]?[0-9]{1,4})?");
    private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
            Map.entry("m", BigDecimal.ONE.movePointLeft(3)),
            Map.entry("k", BigDecimal.ONE.movePointRight(3)),
            Map.entry("K", BigDecimal.ONE.movePointRight(3)),
            Map.entry("M", BigDecimal.ONE.movePointRight(6)),
            Map.entry("G", BigDecimal.ONE.movePointRight(9)),
            Map.entry("T", BigDecimal.ONE.movePointRight(12)),
            Map.entry("P", BigDecimal.ONE.movePointRight(15)),
            Map.entry("E", BigDecimal.ONE.movePointRight(18)),
            Map.entry("Ki", BigDecimal.valueOf(1L << 10)),
            Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
            Map.entry("Gi", BigDecimal.valueOf(1L << 30)),
            Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
            Map.entry("Pi", BigDecimal.valueOf(1L << 50)),
            Map.entry("Ei", BigDecimal.valueOf(1L << 60)));

    private final BigDecimal value;
    private final String text;

    private Quantity(BigDecimal value, String text) {
        this.value = value;
        this.text = text;
    }

    /** Parses a quantity; the exception message says what is wrong. */
    public static Quantity parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a quantity is required");
        }
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            String hint = text.startsWith("-") ? "it must not be negative" : "use a number with an optional suffix,"
                    + " e.g. 500m, 2, 1.5, 1G, 128Mi, 1.5Gi";
            throw new IllegalArgumentException(Quote.of(text) + " is not a quantity: " + hint);
        }
        BigDecimal number = new BigDecimal(m.group(1).endsWith(".") ? m.group(1) + "0" : m.group(1));
        String suffix = m.group(2);
        if (suffix != null) {
            BigDecimal multiplier = SUFFIXES.get(suffix);
            number = multiplier != null ? number.multiply(multiplier)
                    : number.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1).replace("+", "")));
        }
        return new Quantity(number, text);
    }

    /** {@code units} base units, written as a plain integer. */
    public static Quantity of(long units) {
        requireNonNegative(units);
        return new Quantity(BigDecimal.valueOf(units), Long.toString(units));
    }

    /** {@code millis} milli-units (e.g. millicores), written as {@code <millis>m}. */
    public static Quantity ofMillis(long millis) {
        requireNonNegative(millis);
        return new Quantity(BigDecimal.valueOf(millis).movePointLeft(3), millis + "m");
    }

    private static void requireNonNegative(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("a quantity must not be negative: " + n);
        }
    }

    /** The exact value in base units. */
    public BigDecimal value() {
        return value;
    }

    /**
     * The value in whole base units (e.g. bytes).
     *
     * @throws ArithmeticException naming the quantity if it has a fraction or does not fit a long
     */
    public long toLongExact() {
        return exact(value, "base units");
    }

    /**
     * The value in whole milli-units (e.g. millicores).
     *
     * @throws ArithmeticException naming the quantity if it is finer than 1m or does not fit a long
     */
    public long toMillisExact() {
        return exact(value.movePointRight(3), "milli-units");
    }

    private long exact(BigDecimal v, String unit) {
        try {
            return v.longValueExact();
        } catch (ArithmeticException e) {
            boolean whole = v.signum() == 0 || v.stripTrailingZeros().scale() <= 0;
            throw new ArithmeticException(Quote.of(text)
                    + (whole ? " is too large" : " is not a whole number of " + unit));
        }
    }

    @Override
    public int compareTo(Quantity o) {
        return value.compareTo(o.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quantity q && value.compareTo(q.value) == 0;
    }

    @Override
    public int hashCode() {
        return value.signum() == 0 ? 0 : value.stripTrailingZeros().hashCode();
    }

    /** The text as written (or as made by {@link #of}/{@link #ofMillis}). */
    @Override
    public String toString() {
        return text;
    }
}
