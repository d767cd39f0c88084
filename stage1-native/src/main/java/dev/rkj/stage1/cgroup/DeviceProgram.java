package dev.rkj.stage1.cgroup;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiles {@link DeviceRule}s into a {@code BPF_PROG_TYPE_CGROUP_DEVICE} program, the cgroup
 * v2 device controller (the same program systemd, runc and crun generate). The kernel runs it
 * on every open and mknod of a device node with a {@code struct bpf_cgroup_dev_ctx}
 * ({@code u32 access_type} = access &lt;&lt; 16 | type, {@code u32 major}, {@code u32 minor}); it
 * returns 1 to allow, 0 to refuse (EPERM).
 *
 * <pre>
 *   r2 = type, r3 = access, r4 = major, r5 = minor
 *   for each rule:  if r2 != rule.type goto next
 *                   if (r3 &amp; rule.access) != r3 goto next     (left out for rwm)
 *                   if r4 != rule.major goto next              (left out for *)
 *                   if r5 != rule.minor goto next              (left out for *)
 *                   return 1
 *             next:
 *   return 0
 * </pre>
 */
final class DeviceProgram {
    /** {@code bpf_cgroup_dev_ctx.access_type}: type in the low 16 bits, access in the high. */
    static final int DEV_BLOCK = 1;
    static final int DEV_CHAR = 2;
    static final int ACC_MKNOD = 1;
    static final int ACC_READ = 2;
    static final int ACC_WRITE = 4;

    /** One BPF instruction is 8 bytes: code, dst/src registers, 16-bit offset, 32-bit immediate. */
    static final int INSN_SIZE = 8;

    static final int LDX_MEM_W = 0x61;   // BPF_LDX | BPF_MEM | BPF_W
    static final int ALU32_AND_K = 0x54; // BPF_ALU | BPF_AND | BPF_K
    static final int ALU32_RSH_K = 0x74; // BPF_ALU | BPF_RSH | BPF_K
    static final int ALU32_MOV_X = 0xbc; // BPF_ALU | BPF_MOV | BPF_X
    static final int ALU64_MOV_K = 0xb7; // BPF_ALU64 | BPF_MOV | BPF_K
    static final int JNE_K = 0x55;       // BPF_JMP | BPF_JNE | BPF_K
    static final int JNE_X = 0x5d;       // BPF_JMP | BPF_JNE | BPF_X
    static final int EXIT = 0x95;        // BPF_JMP | BPF_EXIT

    private DeviceProgram() {}

    /** The program's instructions, in the kernel's (little-endian) layout. */
    static byte[] compile(List<DeviceRule> rules) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        insn(out, LDX_MEM_W, 2, 1, 0, 0);
        insn(out, ALU32_AND_K, 2, 0, 0, 0xFFFF);
        insn(out, LDX_MEM_W, 3, 1, 0, 0);
        insn(out, ALU32_RSH_K, 3, 0, 0, 16);
        insn(out, LDX_MEM_W, 4, 1, 4, 0);
        insn(out, LDX_MEM_W, 5, 1, 8, 0);
        for (DeviceRule rule : rules) {
            rule(out, rule);
        }
        insn(out, ALU64_MOV_K, 0, 0, 0, 0);
        insn(out, EXIT, 0, 0, 0, 0);
        return out.toByteArray();
    }

    private static void rule(ByteArrayOutputStream out, DeviceRule rule) {
        int access = access(rule);
        boolean checkAccess = access != (ACC_MKNOD | ACC_READ | ACC_WRITE);
        // each test jumps over what is left of the rule: later tests, then "r0 = 1; exit"
        List<int[]> tests = new ArrayList<>();
        tests.add(new int[] {JNE_K, 2, 0, rule.type() == 'b' ? DEV_BLOCK : DEV_CHAR});
        if (checkAccess) {
            tests.add(new int[] {ALU32_MOV_X, 1, 3, 0});
            tests.add(new int[] {ALU32_AND_K, 1, 0, access});
            tests.add(new int[] {JNE_X, 1, 3, 0});
        }
        if (rule.major() != null) {
            tests.add(new int[] {JNE_K, 4, 0, rule.major()});
        }
        if (rule.minor() != null) {
            tests.add(new int[] {JNE_K, 5, 0, rule.minor()});
        }
        for (int i = 0; i < tests.size(); i++) {
            int[] t = tests.get(i);
            boolean jump = t[0] == JNE_K || t[0] == JNE_X;
            insn(out, t[0], t[1], t[2], jump ? tests.size() - 1 - i + 2 : 0, t[3]);
        }
        insn(out, ALU64_MOV_K, 0, 0, 0, 1);
        insn(out, EXIT, 0, 0, 0, 0);
    }

    static int access(DeviceRule rule) {
        return (rule.mknods() ? ACC_MKNOD : 0) | (rule.reads() ? ACC_READ : 0) | (rule.writes() ? ACC_WRITE : 0);
    }

    private static void insn(ByteArrayOutputStream out, int code, int dst, int src, int off, int imm) {
        out.write(code);
        out.write(dst | src << 4);
        out.write(off & 0xFF);
        out.write(off >> 8 & 0xFF);
        out.write(imm & 0xFF);
        out.write(imm >> 8 & 0xFF);
        out.write(imm >> 16 & 0xFF);
        out.write(imm >>> 24);
    }
}
