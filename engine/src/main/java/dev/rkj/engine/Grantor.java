package dev.rkj.engine;

import java.util.Objects;

/**
 * Who asked: the user a request to the engine came from, as the journal records it on the intent
 * (a pod's creation, launch, stop, deletion and privileges; an image's fetch and removal): the
 * calling process's user and, when it runs under sudo, the user who ran sudo; or, through the
 * daemon, the peer of its socket or the name of a TCP client's token. Wire format.
 *
 * @param uid       the caller's real user id, or {@code null} if it was not stated
 * @param userName  the caller's user name, or {@code null} if it was not stated
 * @param sudoUser  the user who ran {@code sudo} ({@code SUDO_USER}), or {@code null}
 * @param via       how the grant was given, e.g. {@code rkj run command line}
 */
public record Grantor(Long uid, String userName, String sudoUser, String via) {
    /** A grant made through the engine's API by a caller that did not say who it is. */
    public static final Grantor UNSTATED = new Grantor(null, null, null, "engine API, caller not stated");

    public Grantor {
        Objects.requireNonNull(via, "via");
        if (uid != null && uid < 0) {
            throw new IllegalArgumentException("grantor uid " + uid + " is negative");
        }
        if (sudoUser != null && sudoUser.isBlank()) {
            sudoUser = null;
        }
    }

    /** For a reader: {@code uid 0 (root), via sudo by alice, rkj run command line}. */
    public String describe() {
        String who = uid == null && userName == null ? "an unstated user"
                : (uid == null ? "" : "uid " + uid + " ") + (userName == null ? "" : "(" + userName + ")");
        return who.strip() + (sudoUser == null ? "" : ", via sudo by " + sudoUser) + ", " + via;
    }
}
