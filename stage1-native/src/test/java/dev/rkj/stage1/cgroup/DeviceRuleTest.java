package dev.rkj.stage1.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceRuleTest {
    @Test
    void theStandardRulesAreRuncsAllowListInV1Syntax() {
        assertEquals(List.of("c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
                        "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm"),
                DeviceRule.STANDARD.stream().map(DeviceRule::v1Line).toList());
    }

    @Test
    void noStandardRuleOpensABlockDevice() {
        assertTrue(DeviceRule.STANDARD.stream().filter(r -> r.type() == 'b').allMatch(r -> r.access().equals("m")));
    }

    @Test
    void badRulesAreRefusedNamingTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DeviceRule('a', null, null, "rwm"))
                .getMessage().contains("device type"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DeviceRule('c', 4096, 0, "r"))
                .getMessage().contains("major"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DeviceRule('c', 1, -1, "r"))
                .getMessage().contains("minor"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DeviceRule('c', 1, 3, "mr"))
                .getMessage().contains("rwm"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DeviceRule('c', 1, 3, ""))
                .getMessage().contains("rwm"));
    }
}
