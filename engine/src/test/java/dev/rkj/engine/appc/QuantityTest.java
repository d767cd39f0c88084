package dev.rkj.engine.appc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantityTest {

    @ParameterizedTest
    @CsvSource({
            "1, 1", "0, 0", "1G, 1000000000", "2G, 2000000000", "1K, 1000", "1k, 1000", "1M, 1000000",
            "1T, 1000000000000", "1P, 1000000000000000", "1E, 1000000000000000000",
            "1Ki, 1024", "128Mi, 134217728", "1.5Gi, 1610612736", "123Mi, 128974848", "125952Ki, 128974848",
            "128974848, 128974848", "1e3, 1000", "1E3, 1000", "5e+2, 500", "0.5K, 500", "7Ei, 8070450532247928832"})
    void parsesBytesExactly(String text, long bytes) {
        // when
        Quantity q = Quantity.parse(text);
        // then
        assertEquals(bytes, q.toLongExact());
        assertEquals(text, q.toString());
    }

    @ParameterizedTest
    @CsvSource({"500m, 500", "250m, 250", "1, 1000", "0.3, 300", ".5, 500", "2.5, 2500", "1000m, 1000", "1e-3, 1",
            "20m, 20"})
    void parsesCpuAsExactMillis(String text, long millis) {
        assertEquals(millis, Quantity.parse(text).toMillisExact());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "1g", "1 G", "G", "1.2.3", "1Gb", "1KiB", "0x10", "1e", "1e99999", "+1", "1mi",
            "abc", "1,5"})
    void rejectsMalformedQuantities(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantity.parse(text));
        assertTrue(e.getMessage().startsWith(Quote.of(text) + " is not a quantity"), e.getMessage());
    }

    @Test
    void saysANegativeQuantityIsNegative() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Quantity.parse("-5"))
                .getMessage().contains("must not be negative"));
    }

    @Test
    void refusesToRoundAFractionOfABaseUnit() {
        // given
        Quantity half = Quantity.parse("500m");
        // then
        ArithmeticException e = assertThrows(ArithmeticException.class, half::toLongExact);
        assertEquals("\"500m\" is not a whole number of base units", e.getMessage());
        assertThrows(ArithmeticException.class, () -> Quantity.parse("0.0001").toMillisExact());
    }

    @Test
    void refusesValuesBeyondALong() {
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> Quantity.parse("8Ei").toLongExact());
        assertEquals("\"8Ei\" is too large", e.getMessage());
        assertThrows(ArithmeticException.class, () -> Quantity.parse("9223372036854776").toMillisExact());
    }

    @Test
    void equalsAndOrdersByValueNotBySpelling() {
        // then
        assertEquals(Quantity.parse("1G"), Quantity.parse("1000M"));
        assertEquals(Quantity.parse("1G").hashCode(), Quantity.parse("1000M").hashCode());
        assertEquals(Quantity.parse("1"), Quantity.parse("1000m"));
        assertEquals(Quantity.parse("0"), Quantity.parse("0.000"));
        assertEquals(Quantity.parse("0").hashCode(), Quantity.parse("0.000").hashCode());
        assertNotEquals(Quantity.parse("1G"), Quantity.parse("1Gi"));
        assertTrue(Quantity.parse("1G").compareTo(Quantity.parse("1Gi")) < 0);
        assertTrue(Quantity.parse("250m").compareTo(Quantity.parse("0.5")) < 0);
    }

    @Test
    void factoriesWriteTheValueTheyHold() {
        assertEquals("1024", Quantity.of(1024).toString());
        assertEquals(Quantity.parse("1Ki"), Quantity.of(1024));
        assertEquals("250m", Quantity.ofMillis(250).toString());
        assertEquals(new BigDecimal("0.25"), Quantity.ofMillis(250).value().stripTrailingZeros());
        assertThrows(IllegalArgumentException.class, () -> Quantity.of(-1));
    }
}
