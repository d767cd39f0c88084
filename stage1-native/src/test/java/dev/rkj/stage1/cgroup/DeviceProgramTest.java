package dev.rkj.stage1.cgroup;

import static dev.rkj.stage1.cgroup.DeviceProgram.ACC_MKNOD;
import static dev.rkj.stage1.cgroup.DeviceProgram.ACC_READ;
import static dev.rkj.stage1.cgroup.DeviceProgram.ACC_WRITE;
import static dev.rkj.stage1.cgroup.DeviceProgram.DEV_BLOCK;
import static dev.rkj.stage1.cgroup.DeviceProgram.DEV_CHAR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The compiled device program, run by a small interpreter of the BPF instructions it uses,
 * decides every request as the rules read in v1's terms do. (DevicesIT loads it into the
 * kernel, whose verifier checks it too.)
 */
class DeviceProgramTest {
    private static final int RWM = ACC_MKNOD | ACC_READ | ACC_WRITE;

    @Test
    void theStandardProgramOpensOnlyTheStandardDevicesAndLetsAnyNodeBeMade() {
        byte[] p = DeviceProgram.compile(DeviceRule.STANDARD);
        assertEquals(0, run(p, DEV_BLOCK, 7, 0, ACC_READ), "a host loop device");
        assertEquals(0, run(p, DEV_BLOCK, 8, 0, ACC_WRITE), "a host disk");
        assertEquals(1, run(p, DEV_BLOCK, 7, 0, ACC_MKNOD), "mknod of any node works, as in runc");
        assertEquals(0, run(p, DEV_CHAR, 1, 1, ACC_READ), "/dev/mem");
        assertEquals(0, run(p, DEV_CHAR, 10, 200, ACC_READ | ACC_WRITE), "/dev/net/tun");
        assertEquals(1, run(p, DEV_CHAR, 1, 3, ACC_READ | ACC_WRITE), "/dev/null");
        assertEquals(1, run(p, DEV_CHAR, 1, 9, ACC_READ), "/dev/urandom");
        assertEquals(1, run(p, DEV_CHAR, 136, 42, ACC_READ | ACC_WRITE), "a pty of the pod");
        assertEquals(1, run(p, DEV_CHAR, 5, 2, RWM), "/dev/ptmx");
    }

    @Test
    void everyRequestIsDecidedAsTheRulesSay() {
        List<List<DeviceRule>> ruleSets = List.of(DeviceRule.STANDARD, List.of(),
                List.of(new DeviceRule('c', null, null, "rwm")),
                List.of(new DeviceRule('b', 8, null, "r"), new DeviceRule('c', null, 4, "w"),
                        new DeviceRule('c', 5, 1, "rm")));
        int checked = 0;
        for (List<DeviceRule> rules : ruleSets) {
            byte[] program = DeviceProgram.compile(rules);
            for (int type : new int[] {DEV_BLOCK, DEV_CHAR}) {
                for (int major : new int[] {0, 1, 4, 5, 7, 8, 10, 136, 4095}) {
                    for (int minor : new int[] {0, 1, 2, 3, 4, 5, 7, 8, 9, 200, 1048575}) {
                        for (int access = 1; access <= RWM; access++) {
                            assertEquals(permits(rules, type, major, minor, access) ? 1 : 0,
                                    run(program, type, major, minor, access),
                                    rules + ": type " + type + " " + major + ":" + minor + " access " + access);
                            checked++;
                        }
                    }
                }
            }
        }
        assertTrue(checked > 2000);
    }

    /** v1 semantics: some rule of the type whose numbers match grants every access asked for. */
    private static boolean permits(List<DeviceRule> rules, int type, int major, int minor, int access) {
        for (DeviceRule r : rules) {
            if ((r.type() == 'b' ? DEV_BLOCK : DEV_CHAR) == type && (r.major() == null || r.major() == major)
                    && (r.minor() == null || r.minor() == minor) && (access & ~DeviceProgram.access(r)) == 0) {
                return true;
            }
        }
        return false;
    }

    /** Runs the program on a {@code bpf_cgroup_dev_ctx}; knows just the instructions the compiler emits. */
    private static long run(byte[] program, int type, int major, int minor, int access) {
        ByteBuffer code = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        int[] ctx = {access << 16 | type, major, minor};
        long[] r = new long[11];
        int count = program.length / DeviceProgram.INSN_SIZE;
        for (int pc = 0, steps = 0; ; pc++, steps++) {
            assertTrue(pc >= 0 && pc < count && steps <= count, "the program runs off its end at " + pc);
            int at = pc * DeviceProgram.INSN_SIZE;
            int op = code.get(at) & 0xFF;
            int dst = code.get(at + 1) & 0x0F;
            int src = (code.get(at + 1) & 0xF0) >> 4;
            short off = code.getShort(at + 2);
            int imm = code.getInt(at + 4);
            switch (op) {
                case DeviceProgram.LDX_MEM_W -> {
                    assertEquals(1, src, "loads come from the context in r1");
                    r[dst] = ctx[off / 4] & 0xFFFFFFFFL;
                }
                case DeviceProgram.ALU32_AND_K -> r[dst] = (r[dst] & imm) & 0xFFFFFFFFL;
                case DeviceProgram.ALU32_RSH_K -> r[dst] = ((int) r[dst] >>> imm) & 0xFFFFFFFFL;
                case DeviceProgram.ALU32_MOV_X -> r[dst] = r[src] & 0xFFFFFFFFL;
                case DeviceProgram.ALU64_MOV_K -> r[dst] = imm;
                case DeviceProgram.JNE_K -> pc += r[dst] != imm ? off : 0;
                case DeviceProgram.JNE_X -> pc += r[dst] != r[src] ? off : 0;
                case DeviceProgram.EXIT -> {
                    return r[0];
                }
                default -> throw new AssertionError("unexpected opcode 0x" + Integer.toHexString(op) + " at " + pc);
            }
            assertTrue(off >= 0, "only forward jumps");
        }
    }
}
