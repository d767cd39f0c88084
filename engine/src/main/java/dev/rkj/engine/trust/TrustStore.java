package dev.rkj.engine.trust;

import dev.rkj.engine.appc.AcIdentifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.api.OpenPGPKeyReader;

/**
 * The keys the user trusts to sign images, in rkt's layout, under two roots: the data directory
 * (written by {@code rkj trust}) and the system configuration directory (written by the
 * administrator, read only here):
 * <pre>
 * &lt;root&gt;/trust/prefix.d/&lt;escaped prefix&gt;/&lt;fingerprint&gt;   trusted for images named prefix or below it
 * &lt;root&gt;/trust/root.d/&lt;fingerprint&gt;                       trusted for every image
 * </pre>
 * Each file is the key's armored public certificate; the escaped prefix is the prefix with each
 * {@code /} written as {@code ,} (rkt's escaping; an appc name has no comma). This class is the one
 * owner of that layout. It reads the directories on every call, so a key trusted by another
 * process counts at once.
 */
public final class TrustStore {
    /** The system configuration directory when none is given: its {@code trust/} holds the administrator's keys. */
    public static final Path DEFAULT_SYSTEM_CONFIG = Path.of("/etc/rkj");
    private static final String TRUST = "trust";
    private static final String PREFIXES = "prefix.d";
    private static final String ROOTS = "root.d";

    private final Path local;
    private final Path system;

    private TrustStore(Path local, Path system) {
        this.local = local.resolve(TRUST);
        this.system = system.resolve(TRUST);
    }

    /** The trust store of data directory {@code dataDir} and system configuration directory {@code systemConfig}. */
    public static TrustStore of(Path dataDir, Path systemConfig) {
        return new TrustStore(dataDir.toAbsolutePath().normalize(),
                Objects.requireNonNull(systemConfig, "systemConfig").toAbsolutePath().normalize());
    }

    /** The directory of the keys {@code rkj trust} adds: {@code <data dir>/trust}. */
    public Path directory() {
        return local;
    }

    /** Whether an image named {@code imageName} is at or below {@code prefix}, on whole path segments. */
    public static boolean covers(String prefix, String imageName) {
        return imageName.equals(prefix) || imageName.startsWith(prefix.endsWith("/") ? prefix : prefix + "/");
    }

    /** Reads the armored (or binary) OpenPGP key in {@code key}; a secret key is read as its public part. */
    public static OpenPGPCertificate read(byte[] key, String from) throws TrustException {
        try {
            OpenPGPCertificate cert = new OpenPGPKeyReader().parseCertificateOrKey(key);
            return cert.isSecretKey() ? ((org.bouncycastle.openpgp.api.OpenPGPKey) cert).toCertificate() : cert;
        } catch (IOException | RuntimeException e) {
            throw new TrustException("cannot read an OpenPGP public key from " + from + " (" + e.getMessage()
                    + "): give an armored public key, e.g. from gpg --armor --export KEYID", e);
        }
    }

    /** A key's fingerprint as rkj names it: lowercase hex. */
    public static String fingerprint(OpenPGPCertificate cert) {
        return HexFormat.of().formatHex(cert.getFingerprint());
    }

    /** The user ids of {@code cert}. */
    public static List<String> userIds(OpenPGPCertificate cert) {
        List<String> ids = new ArrayList<>();
        cert.getAllUserIds().forEach(u -> ids.add(u.getUserId()));
        return ids;
    }

    /**
     * Trusts {@code cert} for images named {@code prefix} or below it, or for every image if
     * {@code prefix} is null; trusting a key again is success.
     */
    public TrustedKey add(OpenPGPCertificate cert, String prefix) throws TrustException {
        if (prefix != null && !AcIdentifier.isValid(prefix)) {
            throw new TrustException("prefix '" + prefix + "' is not an image name prefix: give an appc name such as"
                    + " example.com/app (lowercase letters, digits, '-', '.', '_', '~', '/')");
        }
        String fpr = fingerprint(cert);
        Path dir = prefix == null ? local.resolve(ROOTS) : local.resolve(PREFIXES).resolve(escape(prefix));
        Path file = dir.resolve(fpr);
        try {
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, "." + fpr, ".tmp");
            try {
                Files.writeString(temp, cert.toAsciiArmoredString(), StandardCharsets.US_ASCII);
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new TrustException("cannot trust key " + fpr + ": writing " + file + " failed (" + e.getMessage()
                    + "): check that the data directory is writable", e);
        }
        return new TrustedKey(fpr, prefix, userIds(cert), false);
    }

    /** Every trusted key, system keys first, then by scope and fingerprint. */
    public List<TrustedKey> list() throws TrustException {
        List<TrustedKey> keys = new ArrayList<>();
        for (Entry e : entries()) {
            keys.add(e.key());
        }
        return keys;
    }

    /**
     * Stops trusting {@code fingerprint} (a prefix of at least 8 hex digits names one key) for
     * every prefix it was trusted for in the data directory; returns what was removed.
     */
    public List<TrustedKey> remove(String fingerprint) throws TrustException {
        String wanted = fingerprint.strip().toLowerCase(java.util.Locale.ROOT).replace(" ", "");
        if (!wanted.matches("[0-9a-f]{8,}")) {
            throw new TrustException("'" + fingerprint + "' is not a key fingerprint: give at least 8 hex digits of one"
                    + " that rkj trust list shows");
        }
        List<Entry> all = entries();
        List<Entry> matches = all.stream().filter(e -> e.key().fingerprint().startsWith(wanted)).toList();
        if (matches.stream().map(e -> e.key().fingerprint()).distinct().count() > 1) {
            throw new TrustException("fingerprint " + wanted + " names several trusted keys: give more of it (rkj trust list)");
        }
        List<Entry> mine = matches.stream().filter(e -> !e.key().system()).toList();
        if (mine.isEmpty()) {
            throw new TrustException(matches.isEmpty()
                    ? "no trusted key has fingerprint " + wanted + ": see rkj trust list"
                    : "key " + matches.get(0).key().fingerprint() + " is trusted by the system configuration ("
                            + matches.get(0).file() + "), not by rkj trust: remove that file as its administrator");
        }
        List<TrustedKey> removed = new ArrayList<>();
        for (Entry e : mine) {
            try {
                Files.deleteIfExists(e.file());
                removed.add(e.key());
            } catch (IOException x) {
                throw new TrustException("cannot remove trusted key " + e.key().fingerprint() + ": deleting " + e.file()
                        + " failed (" + x.getMessage() + "): check that the data directory is writable", x);
            }
        }
        return removed;
    }

    /** A trusted key with its certificate, for the verifier. */
    record Candidate(TrustedKey key, OpenPGPCertificate cert) {}

    /** The keys trusted for an image named {@code imageName}: root keys and keys of every prefix covering it. */
    List<Candidate> candidatesFor(String imageName) throws TrustException {
        List<Candidate> found = new ArrayList<>();
        for (Entry e : entries()) {
            if (e.key().root() || covers(e.key().prefix(), imageName)) {
                found.add(new Candidate(e.key(), e.cert()));
            }
        }
        return found;
    }

    /** All trusted keys with their certificates, whatever they are trusted for. */
    List<Candidate> candidates() throws TrustException {
        List<Candidate> found = new ArrayList<>();
        for (Entry e : entries()) {
            found.add(new Candidate(e.key(), e.cert()));
        }
        return found;
    }

    private record Entry(TrustedKey key, OpenPGPCertificate cert, Path file) {}

    private List<Entry> entries() throws TrustException {
        List<Entry> entries = new ArrayList<>();
        for (Path root : List.of(system, local)) {
            boolean isSystem = root.equals(system) && !system.equals(local);
            readKeys(root.resolve(ROOTS), null, isSystem, entries);
            Path prefixes = root.resolve(PREFIXES);
            for (Path dir : children(prefixes)) {
                if (Files.isDirectory(dir)) {
                    readKeys(dir, unescape(dir.getFileName().toString()), isSystem, entries);
                }
            }
        }
        entries.sort(Comparator.comparing((Entry e) -> !e.key().system())
                .thenComparing(e -> e.key().root() ? "" : e.key().prefix())
                .thenComparing(e -> e.key().fingerprint()));
        return entries;
    }

    private static void readKeys(Path dir, String prefix, boolean system, List<Entry> into) throws TrustException {
        for (Path file : children(dir)) {
            String name = file.getFileName().toString();
            if (name.startsWith(".") || !Files.isRegularFile(file)) {
                continue;
            }
            OpenPGPCertificate cert;
            try {
                cert = read(Files.readAllBytes(file), file.toString());
            } catch (IOException e) {
                throw new TrustException("cannot read trusted key " + file + " (" + e.getMessage() + "): check its"
                        + " permissions", e);
            }
            into.add(new Entry(new TrustedKey(fingerprint(cert), prefix, userIds(cert), system), cert, file));
        }
    }

    private static List<Path> children(Path dir) throws TrustException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(children::add);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new TrustException("cannot read the trusted keys in " + dir + " (" + e.getMessage() + "): check its"
                    + " permissions", e);
        }
        children.sort(Comparator.naturalOrder());
        return children;
    }

    private static String escape(String prefix) {
        return prefix.replace('/', ',');
    }

    private static String unescape(String name) {
        return name.replace(',', '/');
    }
}
