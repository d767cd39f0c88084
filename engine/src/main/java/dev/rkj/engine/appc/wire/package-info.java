/**
 * The JSON form of appc manifests: Jackson DTOs that mirror the spec's schemas field for field,
 * the dedicated case-insensitive mapper ({@link dev.rkj.engine.appc.wire.AppcJson}) and the shape
 * check that reports every wrongly typed value ({@link dev.rkj.engine.appc.wire.WireShape}).
 * Only {@code dev.rkj.engine.appc} should use these; other code uses the domain types.
 * Depends on: Jackson only.
 */
package dev.rkj.engine.appc.wire;
