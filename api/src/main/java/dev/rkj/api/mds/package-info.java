/**
 * The appc metadata service (ace.md, "App Container Metadata Service"), served by Vert.x Web on a
 * unix socket (the pods of private networks reach it through their stage1's relay) and on a TCP
 * port of 127.0.0.1 (the pods of the host's network), by {@code rkj metadata-service} and inside
 * {@code rkj daemon}. It keeps no state: registrations are in the pod directories and the HMAC key
 * in the data directory ({@code dev.rkj.engine.mds}).
 *
 * <p>Depends on {@code dev.rkj.engine.mds}, {@code dev.rkj.api.http} (problem bodies, socket
 * files) and Vert.x Web.
 */
package dev.rkj.api.mds;
