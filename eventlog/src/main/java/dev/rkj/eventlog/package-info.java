/**
 * The journal: rkj's append-only, hash-chained event log, the single source of truth.
 *
 * <p>Use {@link dev.rkj.eventlog.Journal}: {@link dev.rkj.eventlog.ChronicleJournal} on disk
 * (several processes may share one directory), {@link dev.rkj.eventlog.InMemoryJournal} for tests.
 * Events are records carrying {@link dev.rkj.eventlog.WireName}, listed in an
 * {@link dev.rkj.eventlog.EventRegistry}; payloads are JSON from {@link dev.rkj.eventlog.Json}.
 *
 * <p>Depends on: Chronicle Queue (storage, cross-process append lock), Jackson (payloads), the JDK.
 * Knows nothing of appc, pods or the Linux boundary. Public signatures use JDK types and this
 * package's own types only; Chronicle stays inside.
 */
package dev.rkj.eventlog;
